import type { Database } from "../src/data/database";
import { body } from "./gateway-process";

/** The bench's query mix (bench/README.md), shared by the load run (run.ts) and the profile (profile.ts). */
export interface Scenario {
  name: string;
  /** Request bodies, sent in rotation. */
  bodies: string[];
}

/** The scenarios over the catalog in `db`: hot keys and categories are picked from the data. */
export async function scenarios(db: Database): Promise<Scenario[]> {
  const hot = await db.sql.query<{ sku: string }>(`SELECT sku FROM products ORDER BY popularity DESC, id LIMIT 20`);
  const categories = await db.sql.query<{ id: number }>(
    `SELECT c.id FROM categories c WHERE EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id) ORDER BY c.depth, c.id LIMIT 20`,
  );
  const listed = await db.sql.query<{ id: number }>(
    `SELECT c.id FROM categories c WHERE c.depth <= 1 ORDER BY c.id LIMIT 10`,
  );
  return [
    {
      // The single most popular product, asked for over and over: the hottest key there is.
      name: "hot productBySku",
      bodies: [body(`query($sku: String!) { productBySku(sku: $sku) { id sku name brand price stock } }`, { sku: hot[0].sku })],
    },
    {
      name: "productBySku, 20 SKUs",
      bodies: hot.map(({ sku }) => body(`query($sku: String!) { productBySku(sku: $sku) { id sku name brand price stock } }`, { sku })),
    },
    {
      name: "category + children",
      bodies: categories.map(({ id }) =>
        body(`query($id: ID!) { category(id: $id) { id name slug depth children { id name slug productCount } } }`, { id: String(id) }),
      ),
    },
    {
      name: "products page, nested",
      bodies: listed.map(({ id }) =>
        body(
          `query($id: ID!) { products(categoryId: $id, first: 100) { totalCount edges { node { id name price category { name parent { name } } } } } }`,
          { id: String(id) },
        ),
      ),
    },
    {
      // Full-text search: the same few queries over and over, as a storefront's popular searches are.
      name: "search (TEXT)",
      bodies: ["camera", "wireless headphones", "4k tv", "laptop 16gb", "smart watch"].map((query) =>
        body(`query($q: String!) { search(query: $q, mode: TEXT, first: 20) { totalCount hits { score product { id name price } } } }`, { q: query }),
      ),
    },
    {
      name: "categoryTree",
      bodies: [body(`{ categoryTree(maxDepth: 3) { id name children { id name children { id name children { id name } } } } }`)],
    },
  ];
}
