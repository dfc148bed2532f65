import DataLoader from "dataloader";
import { Pool } from "pg";
import type { CatalogReader, CatalogSource, CategoryRow, ProductPage, ProductRow } from "./catalog-source";

/**
 * The catalog in PostgreSQL, read as a plain Apollo or Yoga app would: node-postgres, one DataLoader
 * per entity and request, one statement per batch. No cache of its own.
 */

const PRODUCT_COLUMNS = `id, sku, name, description, brand, price::float8 AS price, stock, popularity, attributes,
  image_url AS "imageUrl", category_id AS "categoryId", created_at AS "createdAt", updated_at AS "updatedAt"`;
const CATEGORY_COLUMNS = `id, name, slug, external_id AS "externalId", parent_id AS "parentId", path, depth,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

// A batch function answers in the order of its keys, one value per key.
function byKey<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): (R | null)[] {
  const found = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => found.get(key) ?? null);
}

/** Opens a pool of `poolSize` connections (default 8) on `url`. */
export function createPostgresSource(url: string, poolSize = 8): CatalogSource {
  const pool = new Pool({ connectionString: url, max: poolSize });
  pool.on("error", () => undefined);
  const rows = async <R>(sql: string, params: unknown[]): Promise<R[]> => (await pool.query(sql, params)).rows as R[];

  function reader(): CatalogReader {
    const products = new DataLoader<number, ProductRow | null>(async (ids) =>
      byKey(ids, await rows<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ANY($1::int[])`, [ids]), (row) => row.id),
    );
    const productsBySku = new DataLoader<string, ProductRow | null>(async (skus) =>
      byKey(skus, await rows<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE sku = ANY($1::text[])`, [skus]), (row) => row.sku),
    );
    const categories = new DataLoader<number, CategoryRow | null>(async (ids) =>
      byKey(ids, await rows<CategoryRow>(`SELECT ${CATEGORY_COLUMNS} FROM categories WHERE id = ANY($1::int[])`, [ids]), (row) => row.id),
    );
    // Children of several parents in one statement; the top level (null) is asked for on its own.
    const children = new DataLoader<number, CategoryRow[]>(async (parentIds) => {
      const found = await rows<CategoryRow>(
        `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE parent_id = ANY($1::int[]) ORDER BY name, id`,
        [parentIds],
      );
      return parentIds.map((id) => found.filter((row) => row.parentId === id));
    });
    const productCounts = new DataLoader<number, number>(async (ids) => {
      const found = await rows<{ id: number; count: string }>(
        `SELECT c.id, count(p.id) AS count FROM categories c
           JOIN categories d ON d.path LIKE c.path || '%' JOIN products p ON p.category_id = d.id
         WHERE c.id = ANY($1::int[]) GROUP BY c.id`,
        [ids],
      );
      const counts = new Map(found.map((row) => [row.id, Number(row.count)]));
      return ids.map((id) => counts.get(id) ?? 0);
    });

    return {
      product: (id) => products.load(id),
      productBySku: (sku) => productsBySku.load(sku),
      category: (id) => categories.load(id),
      children: async (parentId) =>
        parentId === null
          ? rows<CategoryRow>(`SELECT ${CATEGORY_COLUMNS} FROM categories WHERE parent_id IS NULL ORDER BY name, id`, [])
          : children.load(parentId),
      productCount: (categoryId) => productCounts.load(categoryId),
      page: async (categoryId, first): Promise<ProductPage> => {
        const inSubtree = `$1::int IS NULL OR category_id IN
          (SELECT id FROM categories WHERE path LIKE (SELECT path FROM categories WHERE id = $1) || '%')`;
        const [page, [{ count }]] = await Promise.all([
          rows<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE ${inSubtree} ORDER BY popularity DESC, id LIMIT $2`, [
            categoryId,
            first,
          ]),
          rows<{ count: string }>(`SELECT count(*) AS count FROM products WHERE ${inSubtree}`, [categoryId]),
        ]);
        // Rows read here are primed, so `node.category` and a later `product(id)` reuse them.
        for (const row of page) products.prime(row.id, row);
        return { products: page, totalCount: Number(count) };
      },
    };
  }

  return {
    reader,
    async updatePrice(id, price) {
      const [row] = await rows<ProductRow>(
        `UPDATE products SET price = $2, updated_at = now() WHERE id = $1 RETURNING ${PRODUCT_COLUMNS}`,
        [id, price],
      );
      return row ?? null;
    },
    close: () => pool.end(),
  };
}
