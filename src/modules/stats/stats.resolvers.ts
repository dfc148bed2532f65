import type { GraphQLResolveInfo } from "graphql";
import { NotFoundError } from "../../errors";
import type { CategoryStatResolvers, QueryResolvers } from "../../generated/graphql";
import type { CatalogSummaryModel } from "./stats.models";

const Query: QueryResolvers = {
  // Each part is its own cached statistic; only the parts the query selects are loaded.
  stats: async (_parent, _args, ctx, info) => {
    const wanted = selectedFields(info);
    const wants = (field: string) => wanted === null || wanted.has(field);
    const summaryFields = ["productCount", "categoryCount", "priceMin", "priceAvg", "priceMax", "stockTotal"];
    const [summary, byTopLevelCategory, byBrand] = await Promise.all([
      summaryFields.some(wants) ? ctx.loaders.stats.load("summary") : emptySummary,
      wants("byTopLevelCategory") ? ctx.loaders.stats.load("byTopLevelCategory") : [],
      wants("byBrand") ? ctx.loaders.stats.load("byBrand") : [],
    ]);
    return { ...summary, byTopLevelCategory, byBrand };
  },
};

const CategoryStat: CategoryStatResolvers = {
  category: async (stat, _args, ctx) => {
    const category = await ctx.loaders.category.load(stat.categoryId);
    // The statistic is cached; a category deleted since then is reported rather than returned as null.
    if (!category) throw new NotFoundError("Category", "id", String(stat.categoryId));
    return category;
  },
};

// Unselected parts are never sent; these placeholders only satisfy the type.
const emptySummary: CatalogSummaryModel = { productCount: 0, categoryCount: 0, priceMin: null, priceAvg: null, priceMax: null, stockTotal: 0 };

/** The field names selected directly under this field, or null (load everything) when a fragment is involved. */
function selectedFields(info: GraphQLResolveInfo): Set<string> | null {
  const names = new Set<string>();
  for (const node of info.fieldNodes) {
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind !== "Field") return null;
      names.add(selection.name.value);
    }
  }
  return names;
}

export const statsResolvers = { Query, CategoryStat };
