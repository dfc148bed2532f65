import { Prisma, type PrismaClient, type Product } from "../../generated/prisma/client";
import type { ProductOrder } from "../../generated/graphql";

/** A product filter after validation: decimals as strings, lists sorted, so equal filters hash equal. */
export interface ProductFilterInput {
  minPrice?: string;
  maxPrice?: string;
  brands?: string[];
  inStock?: boolean;
  attributes?: { name: string; values?: (string | number | boolean)[]; min?: number; max?: number }[];
}

/** Where a listing starts: the sort value and id of the last row of the previous page. */
export interface ListingCursor {
  value: string | number;
  id: number;
}

/** One page request over products; `categoryPath` is the materialized path when in a category. */
export interface ListingQuery {
  category: { id: number; path: string } | null;
  includeDescendants: boolean;
  filter: ProductFilterInput;
  orderBy: ProductOrder;
  first: number;
  after: ListingCursor | null;
}

/** One page of a listing: ids and the cursor of each, whether more follow, and the total. */
export interface ListingPage {
  ids: number[];
  cursors: ListingCursor[];
  hasNextPage: boolean;
  totalCount: number;
}

type SortField = "popularity" | "name" | "price" | "createdAt";

/** The column and direction of each order; every order ends with id ascending so pages are stable. */
export function sortOf(order: ProductOrder): { field: SortField; direction: "asc" | "desc" } {
  switch (order) {
    case "POPULARITY_DESC":
      return { field: "popularity", direction: "desc" };
    case "NAME_ASC":
      return { field: "name", direction: "asc" };
    case "NAME_DESC":
      return { field: "name", direction: "desc" };
    case "PRICE_ASC":
      return { field: "price", direction: "asc" };
    case "PRICE_DESC":
      return { field: "price", direction: "desc" };
    case "NEWEST":
      return { field: "createdAt", direction: "desc" };
    default: {
      const never: never = order;
      throw new Error(`Unknown product order ${String(never)}`);
    }
  }
}

function filterWhere(query: ListingQuery): Prisma.ProductWhereInput[] {
  const { category, includeDescendants, filter } = query;
  const where: Prisma.ProductWhereInput[] = [];
  if (category) {
    // The subtree is found from the id ("/7/" on the path), not from `category.path`: that path may
    // have been read before a move the listing's generation stamp does not see (the move bumps the
    // old and new ancestors, not the moved category), and the old path's empty page would be cached.
    where.push(includeDescendants ? { category: { path: { contains: `/${category.id}/` } } } : { categoryId: category.id });
  }
  if (filter.minPrice !== undefined) where.push({ price: { gte: filter.minPrice } });
  if (filter.maxPrice !== undefined) where.push({ price: { lte: filter.maxPrice } });
  if (filter.brands?.length) where.push({ brand: { in: filter.brands } });
  if (filter.inStock !== undefined) where.push(filter.inStock ? { stock: { gt: 0 } } : { stock: 0 });
  for (const attribute of filter.attributes ?? []) {
    const path = [attribute.name];
    if (attribute.values?.length) {
      where.push({ OR: attribute.values.map((value) => ({ attributes: { path, equals: value } })) });
    }
    if (attribute.min !== undefined) where.push({ attributes: { path, gte: attribute.min } });
    if (attribute.max !== undefined) where.push({ attributes: { path, lte: attribute.max } });
  }
  return where;
}

// Keyset pagination: rows strictly after (value, id) in the listing's order.
function afterWhere(field: SortField, direction: "asc" | "desc", after: ListingCursor): Prisma.ProductWhereInput {
  const value = field === "createdAt" ? new Date(after.value) : after.value;
  const beyond = direction === "asc" ? { gt: value } : { lt: value };
  return { OR: [{ [field]: beyond }, { [field]: value, id: { gt: after.id } }] };
}

function cursorValue(row: Pick<Product, SortField>, field: SortField): string | number {
  const value = row[field];
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Prisma.Decimal) return value.toString();
  return value;
}

/** Product reads; each method is a fixed number of SQL statements whatever the number of keys. */
export function createProductRepository(prisma: PrismaClient) {
  return {
    byIds(ids: readonly number[]): Promise<Product[]> {
      return prisma.product.findMany({ where: { id: { in: [...ids] } } });
    },

    bySkus(skus: readonly string[]): Promise<Pick<Product, "id" | "sku">[]> {
      return prisma.product.findMany({ where: { sku: { in: [...skus] } }, select: { id: true, sku: true } });
    },

    /** One page and the total: two statements (the page reads one row more to know if more follow). */
    async page(query: ListingQuery): Promise<ListingPage> {
      const { field, direction } = sortOf(query.orderBy);
      const base = filterWhere(query);
      const where = query.after ? [...base, afterWhere(field, direction, query.after)] : base;
      const [rows, totalCount] = await Promise.all([
        query.first === 0
          ? Promise.resolve([])
          : prisma.product.findMany({
              where: { AND: where },
              select: { id: true, [field]: true } as { id: true } & Record<SortField, boolean>,
              orderBy: [{ [field]: direction }, { id: "asc" }],
              take: query.first + 1,
            }),
        prisma.product.count({ where: { AND: base } }),
      ]);
      const page = rows.slice(0, query.first) as unknown as (Pick<Product, SortField> & { id: number })[];
      return {
        ids: page.map((row) => row.id),
        cursors: page.map((row) => ({ value: cursorValue(row, field), id: row.id })),
        hasNextPage: rows.length > query.first,
        totalCount,
      };
    },
  };
}

export type ProductRepository = ReturnType<typeof createProductRepository>;
