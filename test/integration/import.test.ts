import type { SqlRunner } from "../../src/data/database";
import { importCatalog, type ImportReport } from "../../src/data/import/import-catalog";
import { formatReport } from "../../src/data/import/report";
import { attributeViolations, inconsistentCategoryPaths } from "../helpers/catalog-checks";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { describeWithSharedData, sharedDataFiles } from "../helpers/shared-data";

/** `sql` with every statement it sends counted, inside transactions too. */
function countingSql(sql: SqlRunner, counter: { statements: number }): SqlRunner {
  return {
    exec: (text) => ((counter.statements += 1), sql.exec(text)),
    query: (text, params) => ((counter.statements += 1), sql.query(text, params)),
    transaction: (work) => sql.transaction((tx) => work(countingSql(tx, counter))),
  };
}

/** The import sends 10 statements today; one per record would be 8,000. */
const STATEMENTS_BOUND = 50;

describeWithSharedData("import of the Best Buy data set", () => {
  let db: TestDatabase;
  let first: ImportReport;
  const firstRun = { statements: 0 };
  beforeAll(async () => {
    db = await createTestDatabase("import");
    first = await importCatalog({ sql: countingSql(db.sql, firstRun) }, sharedDataFiles);
  });
  afterAll(() => db?.drop());

  const count = async (table: string) => Number((await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  // The names from the root down to the category that holds the product with `sku`.
  const categoryPathOf = async (sku: string) => {
    const [row] = await db.sql.query<{ names: string }>(
      `SELECT string_agg(a.name, ' > ' ORDER BY a.depth) AS names
         FROM products p JOIN categories c ON c.id = p.category_id JOIN categories a ON c.path LIKE a.path || '%'
        WHERE p.sku = $1`,
      [sku],
    );
    return row.names;
  };

  it("creates 4,722 categories (ancestors known only from paths included) and 3,291 products", async () => {
    expect(first.categories).toEqual({ created: 4722, updated: 0, unchanged: 0, rejected: 1 });
    expect(first.categoriesFromPathsOnly).toBe(139);
    expect(first.products).toEqual({ created: 3291, updated: 0, unchanged: 0, rejected: 0 });
    expect(await count("categories")).toBe(4722);
    expect(await count("products")).toBe(3291);
  });

  it("rejects the nameless category with its reason, and says so in the printed report", () => {
    expect(first.rejections).toEqual([
      expect.objectContaining({ entity: "category", key: "pcmcat748300293073", reason: "name is missing" }),
    ]);
    const printed = formatReport(first);
    expect(printed).toContain("category: name is missing (1)");
    expect(printed).toContain("pcmcat748300293073");
  });

  it("keeps every path and depth consistent with parent_id", async () => {
    expect(await inconsistentCategoryPaths(db.sql)).toEqual([]);
    const [{ maxDepth }] = await db.sql.query<{ maxDepth: number }>(`SELECT max(depth)::int AS "maxDepth" FROM categories`);
    expect(maxDepth).toBe(5);
  });

  it("keeps Best Buy ids as external ids and gives readable, unique slugs", async () => {
    const rows = await db.sql.query<{ external_id: string; slug: string; parent_slug: string | null }>(
      `SELECT c.external_id, c.slug, p.slug AS parent_slug FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
        WHERE c.external_id IN ('abcat0800000', 'pcmcat156400050037', 'abcat0101000', 'pcmcat748300667697')`,
    );
    const slugOf = Object.fromEntries(rows.map((r) => [r.external_id, r]));
    expect(slugOf.abcat0800000.slug).toBe("cell-phones");
    expect(slugOf.pcmcat156400050037.slug).toBe("unlocked-cell-phones");
    expect(slugOf.abcat0101000.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    // Best Buy Outlet > Cell Phones clashes with the root "Cell Phones": the parent's slug is prefixed.
    expect(slugOf.pcmcat748300667697.slug).toBe(`${slugOf.pcmcat748300667697.parent_slug}-cell-phones`);
  });

  it("places products by their category path: exact, found below a level it leaves out, or the deepest category of a matching prefix", async () => {
    expect(first.productPlacement).toEqual({ exactPath: 2968, belowPrefix: 207, prefixOnly: 116 });
    // Exact matches, at depths 2 to 5.
    expect(await categoryPathOf("4893100")).toBe("Cell Phones > All Cell Phones with Plans");
    expect(await categoryPathOf("5191101")).toBe("Cell Phones > Unlocked Cell Phones > All Unlocked Cell Phones");
    expect(await categoryPathOf("1590207")).toBe("Cell Phones > Cell Phone Accessories > Cell Phone Headsets > Bluetooth Headsets");
    expect(await categoryPathOf("5496242")).toBe(
      "Cell Phones > Cell Phone Accessories > Smartwatches & Accessories > Smartwatch Accessories > Smartwatch Bands",
    );
    // "Cell Phones > Prepaid Phones > All Prepaid Phones": there is no "Prepaid Phones" under the root.
    expect(await categoryPathOf("4984700")).toBe("Cell Phones");
    // "... > iPhone Cases & Clips > iPhone 7 Plus Cases": the last level is missing from the tree.
    expect(await categoryPathOf("5707566")).toBe("Cell Phones > Cell Phone Accessories > iPhone Accessories > iPhone Cases & Clips");
    // "Cell Phones > Cell Phone Accessories > Data Cables": the tree has a level between the two.
    expect(await categoryPathOf("5019341")).toBe("Cell Phones > Cell Phone Accessories > Adapters, Cables & Chargers > Data Cables");
  });

  it("derives color and storage from the names, defined on the Cell Phones root so they validate", async () => {
    const definitions = await db.sql.query<{ external_id: string; name: string; type: string; unit: string | null }>(
      `SELECT c.external_id, d.name, d.type::text AS type, d.unit FROM attribute_definitions d JOIN categories c ON c.id = d.category_id ORDER BY d.name`,
    );
    expect(definitions).toEqual([
      { external_id: "abcat0800000", name: "color", type: "STRING", unit: null },
      { external_id: "abcat0800000", name: "storageGb", type: "NUMBER", unit: "GB" },
    ]);
    const [product] = await db.sql.query<{ attributes: unknown; price: string; sku: string }>(
      `SELECT sku, price::text AS price, attributes FROM products WHERE sku = '4893100'`,
    );
    expect(product).toEqual({ sku: "4893100", price: expect.stringMatching(/^\d+\.\d\d$/), attributes: { color: "Black Onyx", storageGb: 32 } });
    expect(await attributeViolations(db.sql)).toEqual([]);
  });

  it("is idempotent: a second run creates and changes nothing", async () => {
    const before = await db.sql.query(`SELECT max(updated_at) AS c, (SELECT max(updated_at) FROM products) AS p FROM categories`);
    const second = await importCatalog(db, sharedDataFiles);
    expect(second.categories).toEqual({ created: 0, updated: 0, unchanged: 4722, rejected: 1 });
    expect(second.attributeDefinitions).toEqual({ created: 0, updated: 0, unchanged: 2, rejected: 0 });
    expect(second.products).toEqual({ created: 0, updated: 0, unchanged: 3291, rejected: 0 });
    expect(await db.sql.query(`SELECT max(updated_at) AS c, (SELECT max(updated_at) FROM products) AS p FROM categories`)).toEqual(before);
    expect(await count("categories")).toBe(4722);
  });

  // What made it take seconds rather than minutes, counted rather than timed (a loaded machine
  // stretches any time): rows are written in batches, not one statement per record.
  it("writes 8,000 records in batches: a few dozen statements at most", () => {
    expect(firstRun.statements).toBeLessThan(STATEMENTS_BOUND);
  });
});
