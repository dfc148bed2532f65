import type { CatalogReader, CatalogSource, CategoryRow, ProductPage, ProductRow } from "./catalog-source";
import { createPostgresSource } from "./postgres-source";

/**
 * The whole catalog read from PostgreSQL once, at start, into maps: every read after that is a map
 * lookup with no I/O and no promise (the execution reference of issue #12). The price write goes to
 * PostgreSQL and then to the maps, so this peer is never stale.
 */
export async function createMemorySource(url: string): Promise<CatalogSource> {
  const database = createPostgresSource(url, 2);
  const load = database.reader();
  const categories = new Map<number, CategoryRow>();
  const children = new Map<number | null, CategoryRow[]>();
  const walk = async (parentId: number | null) => {
    const level = await load.children(parentId);
    children.set(parentId, level);
    for (const category of level) categories.set(category.id, category);
    await Promise.all(level.map((category) => walk(category.id)));
  };
  await walk(null);

  const products = new Map<number, ProductRow>();
  const bySku = new Map<string, ProductRow>();
  for (const product of (await load.page(null, Number.MAX_SAFE_INTEGER)).products) {
    products.set(product.id, product);
    bySku.set(product.sku, product);
  }

  // Each category's subtree, most popular first, built once: pages and counts are slices of it. A
  // product joins the listing of every category on its category's path, and the whole catalog's.
  const listings = new Map<number | null, ProductRow[]>([[null, []]]);
  for (const id of categories.keys()) listings.set(id, []);
  for (const product of products.values()) {
    listings.get(null)!.push(product);
    for (const id of categories.get(product.categoryId)!.path.split("/").filter(Boolean)) listings.get(Number(id))?.push(product);
  }
  const mostPopularFirst = (a: ProductRow, b: ProductRow) => b.popularity - a.popularity || a.id - b.id;
  for (const listing of listings.values()) listing.sort(mostPopularFirst);
  const subtreeOf = (id: number | null) => listings.get(id) ?? [];

  const reader: CatalogReader = {
    product: (id) => products.get(id) ?? null,
    productBySku: (sku) => bySku.get(sku) ?? null,
    category: (id) => categories.get(id) ?? null,
    children: (parentId) => children.get(parentId) ?? [],
    productCount: (categoryId) => subtreeOf(categoryId).length,
    page: (categoryId, first): ProductPage => {
      const listing = subtreeOf(categoryId);
      return { products: listing.slice(0, first), totalCount: listing.length };
    },
  };

  return {
    reader: () => reader,
    async updatePrice(id, price) {
      const row = await database.updatePrice(id, price);
      const product = products.get(id);
      // Listings hold the same objects, so one assignment updates every page that shows the product.
      if (row && product) Object.assign(product, { price: row.price, updatedAt: row.updatedAt });
      return row;
    },
    close: () => database.close(),
  };
}
