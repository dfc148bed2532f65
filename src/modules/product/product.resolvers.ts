import { NotFoundError } from "../../errors";
import { requireRole } from "../../auth";
import type { MutationResolvers, ProductConnectionResolvers, ProductResolvers, QueryResolvers } from "../../generated/graphql";
import { afterWrite } from "../shared/after-write";
import { parseId } from "../shared/args";
import { listProducts } from "./product-listing";
import type { ProductConnectionModel, ProductModel } from "./product.models";

const Query: QueryResolvers = {
  product: (_parent, { id }, ctx) => ctx.loaders.product.load(parseId(id, "id")),

  productBySku: async (_parent, { sku }, ctx) => {
    const id = await ctx.loaders.productBySku.load(sku);
    return id === null ? null : ctx.loaders.product.load(id);
  },

  products: async (_parent, args, ctx) => {
    let category = null;
    if (args.categoryId != null) {
      category = await ctx.loaders.category.load(parseId(args.categoryId, "categoryId"));
      if (!category) throw new NotFoundError("Category", "categoryId", args.categoryId);
    }
    return listProducts(ctx, category, args);
  },
};

const Mutation: MutationResolvers = {
  createProduct: async (_parent, { input }, ctx) => {
    requireRole(ctx.authentication, "editor");
    const product = await ctx.services.products.create(input);
    await afterWrite(ctx, (c) => Promise.all([c.loaders.product.load(product.id), c.loaders.productBySku.load(product.sku)]));
    return product;
  },

  updateProduct: async (_parent, { id, input }, ctx) => {
    requireRole(ctx.authentication, "editor");
    const product = await ctx.services.products.update(parseId(id, "id"), input);
    await afterWrite(ctx, (c) => Promise.all([c.loaders.product.load(product.id), c.loaders.productBySku.load(product.sku)]));
    return product;
  },

  deleteProduct: async (_parent, { id }, ctx) => {
    requireRole(ctx.authentication, "editor");
    const result = await ctx.services.products.remove(parseId(id, "id"));
    await afterWrite(ctx);
    return { id: String(result.id), deleted: result.deleted };
  },

  importProducts: async (_parent, { rows, mode }, ctx) => {
    requireRole(ctx.authentication, "editor");
    const report = await ctx.services.importProducts(rows, mode ?? "SKIP_INVALID");
    await afterWrite(ctx);
    return {
      ...report,
      rows: report.rows.map((row) => ({ ...row, productId: row.productId === null ? null : String(row.productId) })),
    };
  },
};

const Product: ProductResolvers = {
  id: (product) => String(product.id),
  price: (product) => product.price.toNumber(),
  attributes: (product) => product.attributes ?? {},
  category: async (product, _args, ctx) => {
    const category = await ctx.loaders.category.load(product.categoryId);
    // A product's category is a foreign key; its absence means the row changed under us.
    if (!category) throw new NotFoundError("Category", "id", String(product.categoryId));
    return category;
  },
};

const ProductConnection: ProductConnectionResolvers = {
  edges: async (connection, _args, ctx) => {
    const products = await ctx.loaders.product.loadMany(connection.ids);
    // A product deleted between the listing and the row read is left out rather than failing the page.
    return products.flatMap((node, i) =>
      node && !(node instanceof Error) ? [new ProductEdge(connection, i, node)] : [],
    );
  },
  pageInfo: (connection) => ({
    hasNextPage: connection.hasNextPage,
    endCursor: connection.ids.length === 0 ? null : connection.cursorAt(connection.ids.length - 1),
  }),
  totalCount: (connection) => connection.totalCount,
};

/** An edge of a page: its cursor is encoded only if the query reads it. */
class ProductEdge {
  constructor(
    private readonly connection: ProductConnectionModel,
    private readonly index: number,
    readonly node: ProductModel,
  ) {}

  get cursor(): string {
    return this.connection.cursorAt(this.index);
  }
}

export const productResolvers = { Query, Mutation, Product, ProductConnection };
