import { GraphQLError, GraphQLScalarType } from "graphql";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { CatalogReader, MaybePromise, CatalogSource, CategoryRow, ProductPage, ProductRow } from "./catalog-source";

/**
 * The peers' resolvers: the gateway's schema.graphql, answered the way a plain app would, through a
 * `CatalogReader` (PostgreSQL with DataLoader, or memory). Only what the bench asks for is served:
 * lookups by id and SKU, categories with children, parents and product counts, the first page of a
 * listing in its default order, the category tree, and `updateProduct` of a price. Anything else
 * answers an error that says so, never a made-up value.
 */

/** The gateway's schema, read once. */
export const typeDefs = readFileSync(path.resolve(__dirname, "../../schema.graphql"), "utf8");

/** What every resolver gets: the request's reader and the source (for the write). */
export interface PeerContext {
  reader: CatalogReader;
  source: CatalogSource;
}

/** A node of `categoryTree`: the category, its level (0 at the top) and how deep the tree goes. */
interface TreeNode {
  category: CategoryRow;
  level: number;
  maxDepth: number;
}

/** Same default and bound as the gateway's `first` (20, at most 100); the tree is at most 10 deep. */
const DEFAULT_FIRST = 20;
const MAX_FIRST = 100;
const MAX_TREE_DEPTH = 10;

function unsupported(what: string): never {
  throw new GraphQLError(`${what} is not served by the bench peers (see bench/peers/resolvers.ts)`, {
    extensions: { code: "NOT_IMPLEMENTED" },
  });
}

function numericId(id: string, argument: string): number {
  const value = Number(id);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new GraphQLError(`${argument} must be a positive integer id, got ${JSON.stringify(id)}`, { extensions: { code: "BAD_USER_INPUT" } });
  }
  return value;
}

interface ListingArgs {
  categoryId?: string | null;
  includeDescendants?: boolean | null;
  filter?: unknown;
  orderBy?: string | null;
  first?: number | null;
  after?: string | null;
}

// The first page of a subtree in the default order is what the bench reads; other listings are refused.
function listing(reader: CatalogReader, categoryId: number | null, args: ListingArgs) {
  if (args.includeDescendants === false || args.filter || args.after || (args.orderBy && args.orderBy !== "POPULARITY_DESC")) {
    unsupported("A listing other than the first page of a subtree by popularity");
  }
  const first = args.first ?? DEFAULT_FIRST;
  if (first < 0 || first > MAX_FIRST) {
    throw new GraphQLError(`first must be between 0 and ${MAX_FIRST}, got ${first}`, { extensions: { code: "BAD_USER_INPUT" } });
  }
  return reader.page(categoryId, first);
}

// Keeps a synchronous answer synchronous: the in-memory peer should pay for no promise it does not need.
function then<T, R>(value: MaybePromise<T>, next: (value: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

const cursorOf = (product: ProductRow) => Buffer.from(String(product.id)).toString("base64url");

/** The resolver map, shared by every peer. */
export const resolvers = {
  DateTime: new GraphQLScalarType<Date, string>({
    name: "DateTime",
    serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  }),
  JSON: new GraphQLScalarType({ name: "JSON" }),

  Query: {
    product: (_: unknown, { id }: { id: string }, { reader }: PeerContext) => reader.product(numericId(id, "id")),
    productBySku: (_: unknown, { sku }: { sku: string }, { reader }: PeerContext) => reader.productBySku(sku),
    category: (_: unknown, { id }: { id: string }, { reader }: PeerContext) => reader.category(numericId(id, "id")),
    categories: (_: unknown, { parentId }: { parentId?: string | null }, { reader }: PeerContext) =>
      reader.children(parentId == null ? null : numericId(parentId, "parentId")),
    categoryTree: (_: unknown, { maxDepth }: { maxDepth?: number | null }, { reader }: PeerContext): MaybePromise<TreeNode[]> => {
      const depth = maxDepth ?? MAX_TREE_DEPTH;
      if (depth < 0 || depth > MAX_TREE_DEPTH) {
        throw new GraphQLError(`maxDepth must be between 0 and ${MAX_TREE_DEPTH}, got ${depth}`, { extensions: { code: "BAD_USER_INPUT" } });
      }
      return then(reader.children(null), (roots) => roots.map((category) => ({ category, level: 0, maxDepth: depth })));
    },
    products: (_: unknown, args: ListingArgs, { reader }: PeerContext) =>
      listing(reader, args.categoryId == null ? null : numericId(args.categoryId, "categoryId"), args),
    categoryBySlug: () => unsupported("categoryBySlug"),
    search: () => unsupported("search"),
    autocomplete: () => unsupported("autocomplete"),
    stats: () => unsupported("stats"),
    cacheStats: () => unsupported("cacheStats"),
  },

  Mutation: {
    updateProduct: async (_: unknown, { id, input }: { id: string; input: Record<string, unknown> }, { source }: PeerContext) => {
      const { price, ...rest } = input;
      if (typeof price !== "number" || Object.keys(rest).length > 0) unsupported("updateProduct of anything but the price");
      const product = await source.updatePrice(numericId(id, "id"), price);
      if (!product) throw new GraphQLError(`No product has id ${id}`, { extensions: { code: "NOT_FOUND" } });
      return product;
    },
  },

  Category: {
    id: (category: CategoryRow) => String(category.id),
    parent: (category: CategoryRow, _: unknown, { reader }: PeerContext) =>
      category.parentId === null ? null : reader.category(category.parentId),
    children: (category: CategoryRow, _: unknown, { reader }: PeerContext) => reader.children(category.id),
    ancestors: (category: CategoryRow, _: unknown, { reader }: PeerContext) =>
      category.path
        .split("/")
        .filter(Boolean)
        .map(Number)
        .filter((id) => id !== category.id)
        .map((id) => reader.category(id)),
    productCount: (category: CategoryRow, { includeDescendants }: { includeDescendants?: boolean | null }, { reader }: PeerContext) =>
      includeDescendants === false ? unsupported("productCount(includeDescendants: false)") : reader.productCount(category.id),
    products: (category: CategoryRow, args: ListingArgs, { reader }: PeerContext) => listing(reader, category.id, args),
    attributes: () => unsupported("Category.attributes"),
  },

  CategoryTreeNode: {
    id: (node: TreeNode) => String(node.category.id),
    name: (node: TreeNode) => node.category.name,
    slug: (node: TreeNode) => node.category.slug,
    depth: (node: TreeNode) => node.category.depth,
    category: (node: TreeNode) => node.category,
    children: (node: TreeNode, _: unknown, { reader }: PeerContext): MaybePromise<TreeNode[]> =>
      node.level >= node.maxDepth
        ? []
        : then(reader.children(node.category.id), (children) =>
            children.map((category) => ({ category, level: node.level + 1, maxDepth: node.maxDepth })),
          ),
  },

  Product: {
    id: (product: ProductRow) => String(product.id),
    attributes: (product: ProductRow) => product.attributes ?? {},
    category: (product: ProductRow, _: unknown, { reader }: PeerContext) => reader.category(product.categoryId),
  },

  ProductConnection: {
    edges: (page: ProductPage) => page.products.map((node) => ({ cursor: cursorOf(node), node })),
    pageInfo: (page: ProductPage) => ({
      hasNextPage: page.totalCount > page.products.length,
      endCursor: page.products.length ? cursorOf(page.products[page.products.length - 1]) : null,
    }),
  },
};
