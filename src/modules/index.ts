import type { Resolvers } from "../generated/graphql";
import { adminResolvers } from "./admin/admin.resolvers";
import { categoryResolvers } from "./category/category.resolvers";
import { productResolvers } from "./product/product.resolvers";
import { searchResolvers } from "./search/search.resolvers";
import { statsResolvers } from "./stats/stats.resolvers";
import { DateTime, JSONScalar } from "./scalars";

/** Every resolver, merged from the feature folders. */
export const resolvers: Resolvers = {
  DateTime,
  JSON: JSONScalar,
  Query: {
    ...categoryResolvers.Query,
    ...productResolvers.Query,
    ...searchResolvers.Query,
    ...statsResolvers.Query,
    ...adminResolvers.Query,
  },
  Mutation: {
    ...categoryResolvers.Mutation,
    ...productResolvers.Mutation,
    ...adminResolvers.Mutation,
  },
  Category: categoryResolvers.Category,
  CategoryTreeNode: categoryResolvers.CategoryTreeNode,
  AttributeDefinition: categoryResolvers.AttributeDefinition,
  Product: productResolvers.Product,
  ProductConnection: productResolvers.ProductConnection,
  FacetValue: searchResolvers.FacetValue,
  SearchCategoryIntent: searchResolvers.SearchCategoryIntent,
  CategoryStat: statsResolvers.CategoryStat,
};
