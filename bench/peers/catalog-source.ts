/**
 * What the peers read the catalog through: one interface, two implementations (PostgreSQL with
 * DataLoader per request, or the whole catalog in memory). The resolvers in `resolvers.ts` see only this.
 */

/** A value now (memory) or later (PostgreSQL): synchronous resolvers keep the in-memory peer free of promise overhead. */
export type MaybePromise<T> = T | Promise<T>;

/** A category row, as the peers hand it to the resolvers. */
export interface CategoryRow {
  id: number;
  name: string;
  slug: string;
  externalId: string | null;
  parentId: number | null;
  /** Materialized path of ids, "/1/7/". */
  path: string;
  depth: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A product row; `price` is a number with at most two decimals. */
export interface ProductRow {
  id: number;
  sku: string;
  name: string;
  description: string;
  brand: string;
  price: number;
  stock: number;
  popularity: number;
  attributes: unknown;
  imageUrl: string | null;
  categoryId: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The first products of a listing (popularity descending, then id) and how many match in all. */
export interface ProductPage {
  products: ProductRow[];
  totalCount: number;
}

/** The reads of one request. A PostgreSQL reader batches them per request; a memory reader answers from maps. */
export interface CatalogReader {
  product(id: number): MaybePromise<ProductRow | null>;
  productBySku(sku: string): MaybePromise<ProductRow | null>;
  category(id: number): MaybePromise<CategoryRow | null>;
  /** Direct children ordered by name then id; `null` for the top level. */
  children(parentId: number | null): MaybePromise<CategoryRow[]>;
  /** Products in the category and its descendants. */
  productCount(categoryId: number): MaybePromise<number>;
  /** A page of the category's subtree (`null`: the whole catalog), most popular first. */
  page(categoryId: number | null, first: number): MaybePromise<ProductPage>;
}

/** What a peer opens once: a reader per request, the one write the bench makes, and a way to close. */
export interface CatalogSource {
  reader(): CatalogReader;
  /** Sets a product's price (and `updated_at`) in PostgreSQL; null when there is no such product. */
  updatePrice(id: number, price: number): Promise<ProductRow | null>;
  close(): Promise<void>;
}
