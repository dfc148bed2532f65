import type { Database } from "../../src/data/database";
import { importCatalog } from "../../src/data/import/import-catalog";
import { gqlData } from "../helpers/gateway";
import { describeWithSharedData, sharedDataFiles } from "../helpers/shared-data";
import { useGateway } from "../helpers/use-gateway";

// The read API over HTTP against PostgreSQL loaded with the real Best Buy catalog, every answer
// checked against SQL over the same tables. Skipped, with the reason printed, without ../shared/data.
describeWithSharedData("read API over HTTP on the real Best Buy catalog", () => {
  let db: Database;
  let url: string;
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);

  const fixture = useGateway({ label: "bestbuy", catalog: (db) => importCatalog(db, sharedDataFiles), env: { CACHE_STORE: "memory" } });
  beforeAll(() => {
    ({ db, url } = fixture);
  });

  it("counts every top-level category's subtree like a direct SQL count", async () => {
    const data = await gqlData(url, `{ categories { id name productCount(includeDescendants: true) } }`);
    const expected = await sql<{ id: number; n: string }>(`
      SELECT r.id, count(p.id) AS n FROM categories r
      LEFT JOIN categories d ON d.path LIKE r.path || '%'
      LEFT JOIN products p ON p.category_id = d.id
      WHERE r.parent_id IS NULL GROUP BY r.id`);
    expect(data.categories).toHaveLength(expected.length);
    const byId = new Map(expected.map((row) => [String(row.id), Number(row.n)]));
    for (const category of data.categories) expect(category.productCount).toBe(byId.get(category.id));
    const total = data.categories.reduce((sum: number, c: { productCount: number }) => sum + c.productCount, 0);
    expect(total).toBe(3291);
  });

  it("finds a real product by SKU with its category path", async () => {
    const data = await gqlData(url, `{ productBySku(sku: "4984700") { name brand price category { name ancestors { name } } } }`);
    expect(data.productBySku).toMatchObject({ brand: "AT&T GoPhone", price: 49.99 });
    expect(data.productBySku.name).toMatch(/^AT&T GoPhone - Samsung Galaxy Express 3/);
    const [row] = await sql<{ path: string }>(`SELECT c.path FROM products p JOIN categories c ON c.id = p.category_id WHERE p.sku = '4984700'`);
    const names = await sql<{ id: number; name: string }>(`SELECT id, name FROM categories WHERE id = ANY($1::int[])`, [
      row.path.split("/").filter(Boolean).map(Number),
    ]);
    const byId = new Map(names.map((n) => [n.id, n.name]));
    const pathNames = row.path.split("/").filter(Boolean).map((id) => byId.get(Number(id)));
    expect([...data.productBySku.category.ancestors.map((a: { name: string }) => a.name), data.productBySku.category.name]).toEqual(pathNames);
  });

  it("lists a category by slug with children, inherited attributes and a filtered page like SQL", async () => {
    const [phones] = await sql<{ id: number; slug: string; path: string }>(
      `SELECT id, slug, path FROM categories WHERE name = 'Cell Phones' AND parent_id IS NULL`,
    );
    const data = await gqlData(url, `query($slug: String!) {
      categoryBySlug(slug: $slug) {
        id children { name }
        products(filter: { brands: ["Samsung"], minPrice: 100, maxPrice: 800 }, orderBy: PRICE_DESC, first: 100) {
          totalCount edges { node { brand price } }
        }
      }
    }`, { slug: phones.slug });
    const children = await sql<{ name: string }>(`SELECT name FROM categories WHERE parent_id = $1 ORDER BY name, id`, [phones.id]);
    expect(data.categoryBySlug.children.map((c: { name: string }) => c.name)).toEqual(children.map((c) => c.name));
    const [{ n }] = await sql<{ n: string }>(
      `SELECT count(*) AS n FROM products p JOIN categories c ON c.id = p.category_id
       WHERE c.path LIKE $1 AND p.brand = 'Samsung' AND p.price BETWEEN 100 AND 800`,
      [`${phones.path}%`],
    );
    expect(Number(n)).toBeGreaterThan(0);
    expect(data.categoryBySlug.products.totalCount).toBe(Number(n));
    const prices = data.categoryBySlug.products.edges.map((e: { node: { price: number } }) => e.node.price);
    expect(prices).toEqual([...prices].sort((a, b) => b - a));

    const [leaf] = await sql<{ id: number }>(
      `SELECT id FROM categories WHERE path LIKE $1 AND depth >= 2 ORDER BY depth DESC, id LIMIT 1`,
      [`${phones.path}%`],
    );
    const attrs = await gqlData(url, `query($id: ID!) { category(id: $id) { attributes { name definedBy { id } } } }`, { id: String(leaf.id) });
    const defined = await sql<{ name: string }>(`SELECT name FROM attribute_definitions WHERE category_id = $1 ORDER BY name`, [phones.id]);
    expect(defined.length).toBeGreaterThan(0);
    for (const { name } of defined) {
      expect(attrs.category.attributes).toContainEqual({ name, definedBy: { id: String(phones.id) } });
    }
  });

  it("walks the real tree: roots, depth and ancestors agree with the paths", async () => {
    const data = await gqlData(url, `{ categoryTree(maxDepth: 1) { id depth children { id depth } } }`);
    const [{ roots }] = await sql<{ roots: string }>(`SELECT count(*) AS roots FROM categories WHERE parent_id IS NULL`);
    expect(data.categoryTree).toHaveLength(Number(roots));
    const [deep] = await sql<{ id: number; path: string; depth: number }>(`SELECT id, path, depth FROM categories ORDER BY depth DESC, id LIMIT 1`);
    const node = await gqlData(url, `query($id: ID!) { category(id: $id) { depth ancestors { id } } }`, { id: String(deep.id) });
    expect(node.category.depth).toBe(deep.depth);
    expect(node.category.ancestors.map((a: { id: string }) => Number(a.id))).toEqual(deep.path.split("/").filter(Boolean).map(Number).slice(0, -1));
  });
});
