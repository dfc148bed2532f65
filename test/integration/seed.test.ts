import { generateCatalog } from "../../src/data/seed/generator";
import { writeCatalog } from "../../src/data/import/write-catalog";
import { attributeViolations, catalogDigest, inconsistentCategoryPaths } from "../helpers/catalog-checks";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { seedGeneratedCatalog } from "../helpers/shared-data";

const options = { products: 2000, categories: 120, seed: 7 };

describe("generated catalog on PostgreSQL", () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase("seed_a"), createTestDatabase("seed_b")]);
    await Promise.all([seedGeneratedCatalog(a, options), seedGeneratedCatalog(b, options)]);
  });
  afterAll(() => Promise.all([a?.drop(), b?.drop()]));

  it("is the same data in two databases seeded with the same options", async () => {
    expect(await catalogDigest(a.sql)).toBe(await catalogDigest(b.sql));
  });

  it("has the requested counts and leaves only at depths 4 to 6, some at each", async () => {
    const [counts] = await a.sql.query<{ categories: number; products: number }>(
      `SELECT (SELECT count(*)::int FROM categories) AS categories, (SELECT count(*)::int FROM products) AS products`,
    );
    expect(counts).toEqual({ categories: 120, products: 2000 });
    const leafDepths = await a.sql.query<{ depth: number }>(
      `SELECT DISTINCT depth FROM categories c WHERE NOT EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id) ORDER BY depth`,
    );
    expect(leafDepths.map((row) => row.depth)).toEqual([4, 5, 6]);
    expect(await inconsistentCategoryPaths(a.sql)).toEqual([]);
  });

  it("holds products whose attributes are valid against the definitions that apply (checked in SQL)", async () => {
    expect(await attributeViolations(a.sql)).toEqual([]);
    const [{ inherited }] = await a.sql.query<{ inherited: number }>(
      `SELECT count(*)::int AS inherited FROM products p JOIN categories c ON c.id = p.category_id
        WHERE p.attributes ? 'color' AND c.depth > 0`,
    );
    expect(inherited).toBeGreaterThan(1500);
  });

  it("catches a bad attribute (the SQL check is not vacuous)", async () => {
    const rollBack = new Error("roll back the broken product");
    const broken = b.sql.transaction(async (tx) => {
      await tx.query(`UPDATE products SET attributes = attributes || '{"color": 12, "bogus": true}' WHERE id = (SELECT min(id) FROM products)`);
      const problems = (await attributeViolations(tx)).map((v) => v.problem).sort();
      expect(problems).toEqual(["bad value", "undefined"]);
      throw rollBack;
    });
    await expect(broken).rejects.toBe(rollBack);
    expect(await attributeViolations(b.sql)).toEqual([]);
  });

  it("is idempotent: seeding again creates and changes nothing", async () => {
    const digest = await catalogDigest(a.sql);
    const again = await seedGeneratedCatalog(a, options);
    expect(again.categories).toMatchObject({ created: 0, updated: 0, unchanged: 120 });
    expect(again.products).toMatchObject({ created: 0, updated: 0, unchanged: 2000 });
    expect(await catalogDigest(a.sql)).toBe(digest);
  });

  it("updates what changed in the source, setting updated_at, and rejects products that break their definitions", async () => {
    const catalog = generateCatalog(options);
    catalog.products[0] = { ...catalog.products[0], price: "1.23" };
    catalog.products[1] = { ...catalog.products[1], attributes: { ...catalog.products[1].attributes, color: "Plaid" } };
    catalog.categories[5] = { ...catalog.categories[5], name: `${catalog.categories[5].name} Renamed` };
    const before = await a.sql.query<{ sku: string; updated_at: Date }>(`SELECT sku, updated_at FROM products WHERE sku = $1`, [catalog.products[0].sku]);
    const report = await a.sql.transaction((tx) => writeCatalog(tx, catalog));
    expect(report.products).toEqual({ created: 0, updated: 1, unchanged: 1998, rejected: 1 });
    expect(report.categories).toMatchObject({ created: 0, updated: 1, unchanged: 119 });
    expect(report.rejections).toEqual([
      expect.objectContaining({ key: catalog.products[1].sku, reason: "attributes break the definitions of the product's category" }),
    ]);
    expect(report.rejections[0].value).toContain('got "Plaid"');
    const [after] = await a.sql.query<{ price: string; updated_at: Date }>(`SELECT price::text AS price, updated_at FROM products WHERE sku = $1`, [
      catalog.products[0].sku,
    ]);
    expect(after.price).toBe("1.23");
    expect(after.updated_at.getTime()).toBeGreaterThan(before[0].updated_at.getTime());
  });
});
