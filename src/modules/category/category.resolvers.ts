import { BadUserInputError, NotFoundError } from "../../errors";
import { idsOnPath } from "../../catalog";
import { requireRole } from "../../auth";
import type {
  AttributeDefinitionResolvers,
  CategoryResolvers,
  CategoryTreeNodeResolvers,
  MutationResolvers,
  QueryResolvers,
} from "../../generated/graphql";
import { afterWrite } from "../shared/after-write";
import type { Category } from "../../generated/prisma/client";
import type { Context } from "../../context";
import { parseId } from "../shared/args";
import { listProducts } from "../product/product-listing";
import { TOP_LEVEL } from "../../catalog";

/** Deepest `maxDepth` a tree query may ask for; the real Best Buy tree is 6 levels deep. */
const MAX_TREE_DEPTH = 10;

async function loadCategories(ctx: Context, ids: readonly number[]): Promise<Category[]> {
  const rows = await ctx.loaders.category.loadMany(ids);
  return rows.flatMap((row) => {
    if (row instanceof Error) throw row;
    return row ? [row] : [];
  });
}

const Query: QueryResolvers = {
  category: (_parent, { id }, ctx) => ctx.loaders.category.load(parseId(id, "id")),

  categoryBySlug: async (_parent, { slug }, ctx) => {
    const id = await ctx.loaders.categoryBySlug.load(slug);
    return id === null ? null : ctx.loaders.category.load(id);
  },

  categories: async (_parent, { parentId }, ctx) => {
    const parent = parentId == null ? null : parseId(parentId, "parentId");
    if (parent !== null && !(await ctx.loaders.category.load(parent))) {
      throw new NotFoundError("Category", "parentId", String(parentId));
    }
    return loadCategories(ctx, await ctx.loaders.categoryChildren.load(parent ?? TOP_LEVEL));
  },

  categoryTree: async (_parent, { maxDepth }, ctx) => {
    const depth = maxDepth ?? MAX_TREE_DEPTH;
    if (depth < 0 || depth > MAX_TREE_DEPTH) {
      throw new BadUserInputError(`maxDepth must be between 0 and ${MAX_TREE_DEPTH}, got ${depth}`, "maxDepth");
    }
    // The whole tree is one cache entry, decoded once per process: no per-category read here.
    return (await ctx.loaders.categoryTree.load("tree")).nested(depth);
  },
};

const Mutation: MutationResolvers = {
  createCategory: async (_parent, { input }, ctx) => {
    requireRole(ctx.authentication, "editor");
    const category = await ctx.services.categories.create(input);
    await afterWrite(ctx, (c) => c.loaders.category.load(category.id));
    return category;
  },

  updateCategory: async (_parent, { id, input }, ctx) => {
    requireRole(ctx.authentication, "editor");
    const category = await ctx.services.categories.update(parseId(id, "id"), input);
    await afterWrite(ctx, (c) => c.loaders.category.load(category.id));
    return category;
  },

  deleteCategory: async (_parent, { id, moveContentsTo }, ctx) => {
    requireRole(ctx.authentication, "editor");
    const target = moveContentsTo == null ? null : parseId(moveContentsTo, "moveContentsTo");
    const result = await ctx.services.categories.remove(parseId(id, "id"), target);
    await afterWrite(ctx);
    return { id: String(result.id), deleted: result.deleted };
  },
};

const Category: CategoryResolvers = {
  id: (category) => String(category.id),
  parent: (category, _args, ctx) => (category.parentId === null ? null : ctx.loaders.category.load(category.parentId)),
  children: async (category, _args, ctx) => loadCategories(ctx, await ctx.loaders.categoryChildren.load(category.id)),
  ancestors: (category, _args, ctx) => loadCategories(ctx, idsOnPath(category.path).slice(0, -1)),
  productCount: (category, { includeDescendants }, ctx) =>
    ctx.loaders.productCount.load({ id: category.id, includeDescendants: includeDescendants ?? true }),
  products: (category, args, ctx) => listProducts(ctx, category, args),
  attributes: (category, _args, ctx) => ctx.loaders.categoryAttributes.load({ id: category.id, path: category.path }),
};

const CategoryTreeNode: CategoryTreeNodeResolvers = {
  id: ({ node }) => String(node.id),
  name: ({ node }) => node.name,
  slug: ({ node }) => node.slug,
  depth: ({ node }) => node.depth,
  category: async ({ node }, _args, ctx) => {
    const category = await ctx.loaders.category.load(node.id);
    if (!category) throw new NotFoundError("Category", "id", String(node.id));
    return category;
  },
  children: ({ children }) => children,
};

const AttributeDefinition: AttributeDefinitionResolvers = {
  allowedValues: (definition) => definition.allowedValues,
  definedBy: async (definition, _args, ctx) => {
    const category = await ctx.loaders.category.load(definition.categoryId);
    if (!category) throw new NotFoundError("Category", "id", String(definition.categoryId));
    return category;
  },
};

export const categoryResolvers = { Query, Mutation, Category, CategoryTreeNode, AttributeDefinition };
