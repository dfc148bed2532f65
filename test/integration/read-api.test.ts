import type { Database } from "../../src/data/database";
import { gql, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// The read API over HTTP against PostgreSQL holding the project's own generated catalog, each
// answer checked against SQL over the same tables.
describe("read API over HTTP (generated catalog, PostgreSQL)", () => {
  let db: Database;
  let url: string;

  const fixture = useGateway({ label: "read", catalog: { products: 1500, categories: 60 } });
  beforeAll(() => {
    ({ db, url } = fixture);
  });

  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);

  it("answers category, categoryBySlug, parent, children, ancestors and depth like SQL", async () => {
    const [leaf] = await sql<{ id: number; slug: string; path: string; depth: number; parent_id: number }>(
      `SELECT id, slug, path, depth, parent_id FROM categories WHERE depth >= 2 ORDER BY id LIMIT 1`,
    );
    const data = await gqlData(url, `query($id: ID!, $slug: String!) {
      category(id: $id) { id slug depth parent { id } ancestors { id depth } children { id } }
      categoryBySlug(slug: $slug) { id }
    }`, { id: String(leaf.id), slug: leaf.slug });
    expect(data.category.slug).toBe(leaf.slug);
    expect(data.category.depth).toBe(leaf.depth);
    expect(data.category.parent.id).toBe(String(leaf.parent_id));
    expect(data.category.ancestors.map((a: { id: string }) => Number(a.id))).toEqual(
      leaf.path.split("/").filter(Boolean).map(Number).slice(0, -1),
    );
    const children = await sql<{ id: number }>(`SELECT id FROM categories WHERE parent_id = $1 ORDER BY name, id`, [leaf.id]);
    expect(data.category.children.map((c: { id: string }) => Number(c.id))).toEqual(children.map((c) => c.id));
    expect(data.categoryBySlug.id).toBe(String(leaf.id));
  });

  it("lists roots and children with categories(parentId)", async () => {
    const roots = await sql<{ id: number }>(`SELECT id FROM categories WHERE parent_id IS NULL ORDER BY name, id`);
    const data = await gqlData(url, `{ categories { id children { id } } }`);
    expect(data.categories.map((c: { id: string }) => Number(c.id))).toEqual(roots.map((r) => r.id));
    const [first] = await sql<{ n: string }>(`SELECT count(*) AS n FROM categories WHERE parent_id = $1`, [roots[0].id]);
    expect(data.categories[0].children).toHaveLength(Number(first.n));
  });

  it("walks categoryTree to maxDepth", async () => {
    const data = await gqlData(url, `{ categoryTree(maxDepth: 1) { id depth children { id depth children { id } } } }`);
    const [{ n }] = await sql<{ n: string }>(`SELECT count(*) AS n FROM categories WHERE depth = 1`);
    const level1 = data.categoryTree.flatMap((root: { children: unknown[] }) => root.children);
    expect(level1).toHaveLength(Number(n));
    expect(level1.every((node: { children: unknown[] }) => node.children.length === 0)).toBe(true);
  });

  it("counts products with and without descendants like SQL", async () => {
    const roots = await sql<{ id: number; path: string }>(`SELECT id, path FROM categories WHERE parent_id IS NULL`);
    const data = await gqlData(url, `{ categories { id all: productCount own: productCount(includeDescendants: false) } }`);
    for (const root of roots) {
      const [{ all }] = await sql<{ all: string }>(
        `SELECT count(*) AS all FROM products p JOIN categories c ON c.id = p.category_id WHERE c.path LIKE $1`,
        [`${root.path}%`],
      );
      const [{ own }] = await sql<{ own: string }>(`SELECT count(*) AS own FROM products WHERE category_id = $1`, [root.id]);
      const answer = data.categories.find((c: { id: string }) => c.id === String(root.id));
      expect(answer.all).toBe(Number(all));
      expect(answer.own).toBe(Number(own));
    }
  });

  it("pages through a category by every order with stable cursors, matching SQL", async () => {
    const [root] = await sql<{ id: number; path: string }>(`SELECT id, path FROM categories WHERE parent_id IS NULL ORDER BY id LIMIT 1`);
    const orders: Record<string, string> = {
      POPULARITY_DESC: "p.popularity DESC, p.id",
      NAME_ASC: "p.name, p.id",
      NAME_DESC: "p.name DESC, p.id",
      PRICE_ASC: "p.price, p.id",
      PRICE_DESC: "p.price DESC, p.id",
      NEWEST: "p.created_at DESC, p.id",
    };
    for (const [orderBy, orderSql] of Object.entries(orders)) {
      const expected = await sql<{ id: number }>(
        `SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id WHERE c.path LIKE $1 ORDER BY ${orderSql}`,
        [`${root.path}%`],
      );
      const seen: number[] = [];
      let after: string | null = null;
      for (let page = 0; page < 1000; page += 1) {
        const data: any = await gqlData(url, `query($id: ID!, $after: String, $orderBy: ProductOrder) {
          products(categoryId: $id, first: 100, after: $after, orderBy: $orderBy) {
            totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } }
          }
        }`, { id: String(root.id), after, orderBy });
        expect(data.products.totalCount).toBe(expected.length);
        seen.push(...data.products.edges.map((e: { node: { id: string } }) => Number(e.node.id)));
        if (!data.products.pageInfo.hasNextPage) break;
        after = data.products.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected.map((row) => row.id));
    }
  });

  it("filters by price range, brand, stock and attributes like SQL", async () => {
    const [{ brand }] = await sql<{ brand: string }>(`SELECT brand FROM products GROUP BY brand ORDER BY count(*) DESC LIMIT 1`);
    const [expected] = await sql<{ n: string }>(
      `SELECT count(*) AS n FROM products WHERE price BETWEEN 10 AND 500 AND brand = $1 AND stock > 0`,
      [brand],
    );
    const data = await gqlData(url, `query($brand: String!) {
      products(filter: { minPrice: 10, maxPrice: 500, brands: [$brand], inStock: true }, first: 100) {
        totalCount edges { node { price brand stock } }
      }
    }`, { brand });
    expect(data.products.totalCount).toBe(Number(expected.n));
    for (const { node } of data.products.edges) {
      expect(node.brand).toBe(brand);
      expect(node.price).toBeGreaterThanOrEqual(10);
      expect(node.price).toBeLessThanOrEqual(500);
      expect(node.stock).toBeGreaterThan(0);
    }

    const [attribute] = await sql<{ key: string; value: string }>(
      `SELECT key, value #>> '{}' AS value FROM products, jsonb_each(attributes)
       WHERE jsonb_typeof(value) = 'string' GROUP BY key, value ORDER BY count(*) DESC LIMIT 1`,
    );
    if (attribute) {
      const [{ n }] = await sql<{ n: string }>(`SELECT count(*) AS n FROM products WHERE attributes ->> $1 = $2`, [attribute.key, attribute.value]);
      const byAttribute = await gqlData(url, `query($name: String!, $value: JSON!) {
        products(filter: { attributes: [{ name: $name, values: [$value] }] }) { totalCount }
      }`, { name: attribute.key, value: attribute.value });
      expect(byAttribute.products.totalCount).toBe(Number(n));
    }
  });

  it("returns a category's own and inherited attribute definitions", async () => {
    const [def] = await sql<{ category_id: number; name: string; path: string }>(
      `SELECT a.category_id, a.name, c.path FROM attribute_definitions a JOIN categories c ON c.id = a.category_id ORDER BY a.id LIMIT 1`,
    );
    expect(def).toBeDefined();
    const [descendant] = await sql<{ id: number }>(
      `SELECT id FROM categories WHERE path LIKE $1 AND id <> $2 ORDER BY depth DESC LIMIT 1`,
      [`${def.path}%`, def.category_id],
    );
    const data = await gqlData(url, `query($id: ID!) { category(id: $id) { attributes { name definedBy { id } } } }`, {
      id: String(descendant.id),
    });
    const inherited = data.category.attributes.find((a: { name: string }) => a.name === def.name);
    expect(inherited).toBeDefined();
  });

  it("finds a product by id and by SKU", async () => {
    const [row] = await sql<{ id: number; sku: string; name: string; price: string }>(`SELECT id, sku, name, price FROM products ORDER BY id LIMIT 1`);
    const data = await gqlData(url, `query($id: ID!, $sku: String!) {
      product(id: $id) { sku name price category { id } }
      productBySku(sku: $sku) { id }
      missing: productBySku(sku: "no-such-sku") { id }
    }`, { id: String(row.id), sku: row.sku });
    expect(data.product.sku).toBe(row.sku);
    expect(data.product.price).toBe(Number(row.price));
    expect(data.productBySku.id).toBe(String(row.id));
    expect(data.missing).toBeNull();
  });

  it("costs one SQL statement per level of nesting, whatever the page size", async () => {
    const query = `query($first: Int) { products(first: $first, orderBy: PRICE_ASC) { edges { node { name category { name parent { name } } } } } }`;
    const count = async (first: number) => {
      const before = db.counter.statements;
      await gqlData(url, query, { first });
      return db.counter.statements - before;
    };
    const small = await count(10);
    const large = await count(100);
    // The page (ids + total), the product rows, their categories, the parents: 5 statements.
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(5);
  });

  describe("bad arguments get a coded error naming the argument", () => {
    const cases: [string, string, Record<string, unknown>, string, string][] = [
      ["an id that is not an id", `query($id: ID!) { category(id: $id) { id } }`, { id: "abc" }, "BAD_USER_INPUT", "id"],
      ["an unknown category for a listing", `{ products(categoryId: "999999") { totalCount } }`, {}, "NOT_FOUND", "categoryId"],
      ["a malformed cursor", `{ products(after: "not-a-cursor") { totalCount } }`, {}, "BAD_USER_INPUT", "after"],
      ["a negative first", `{ products(first: -1) { totalCount } }`, {}, "BAD_USER_INPUT", "first"],
      ["a first over the maximum", `{ products(first: 101) { totalCount } }`, {}, "BAD_USER_INPUT", "first"],
      ["min price above max price", `{ products(filter: { minPrice: 50, maxPrice: 10 }) { totalCount } }`, {}, "BAD_USER_INPUT", "filter.minPrice"],
      ["a price with three decimals", `{ products(filter: { minPrice: 1.005 }) { totalCount } }`, {}, "BAD_USER_INPUT", "filter.minPrice"],
      ["a tree deeper than allowed", `{ categoryTree(maxDepth: 99) { id } }`, {}, "BAD_USER_INPUT", "maxDepth"],
      ["an unknown parent", `{ categories(parentId: "999999") { id } }`, {}, "NOT_FOUND", "parentId"],
    ];
    it.each(cases)("%s", async (_name, query, variables, code, field) => {
      const response = await gql(url, query, variables);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code, field });
    });

    it("a cursor of another order", async () => {
      const page = await gqlData(url, `{ products(first: 1, orderBy: NAME_ASC) { pageInfo { endCursor } } }`);
      const response = await gql(url, `query($after: String) { products(after: $after, orderBy: PRICE_ASC) { totalCount } }`, {
        after: page.products.pageInfo.endCursor,
      });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    });

    it("an unknown id is null, not an error, where the field is nullable", async () => {
      const response = await gql(url, `{ category(id: "999999") { id } product(id: "999999") { id } }`);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ category: null, product: null });
    });
  });
});
