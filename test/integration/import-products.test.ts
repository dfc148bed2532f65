import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { catalogDigest } from "../helpers/catalog-checks";
import { gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// importProducts with 5,000 rows of which exactly 10 are bad, in both modes, over HTTP.
describe("importProducts", () => {
  let db: Database;
  let gateway: Gateway;
  let categoryId: string;

  const fixture = useGateway({ label: "bulk", catalog: { products: 200, categories: 20 }, env: { CACHE_STORE: "memory" } });
  beforeAll(async () => {
    ({ db, gateway } = fixture);
    // A category whose inherited definitions require nothing, so plain rows are valid.
    const [row] = await db.sql.query<{ id: number }>(`
      SELECT c.id FROM categories c
      WHERE NOT EXISTS (SELECT 1 FROM attribute_definitions a WHERE a.required
                        AND c.path LIKE '%/' || a.category_id || '/%')
      ORDER BY c.depth DESC, c.id LIMIT 1`);
    categoryId = String(row.id);
  });

  const mutation = `mutation($rows: [ProductInput!]!, $mode: ImportMode) {
    importProducts(rows: $rows, mode: $mode) {
      created updated unchanged rejected committed
      rows { index sku status reason field productId }
    }
  }`;

  function rows(prefix: string) {
    const all = Array.from({ length: 5000 }, (_, i) => ({
      sku: `${prefix}-${i}`,
      name: `Imported thing ${i}`,
      brand: "Bulkco",
      price: 10 + (i % 100) / 100,
      stock: i % 7,
      categoryId,
    }));
    const bad: Record<number, Record<string, unknown>> = {
      3: { price: -1 },
      77: { price: 1.001 },
      150: { name: "" },
      999: { categoryId: "999999" },
      1234: { stock: -5 },
      2000: { sku: "has spaces" },
      2500: { attributes: { nonsense: true } },
      3000: { sku: `${prefix}-1` }, // a duplicate of row 1
      4000: { imageUrl: "not a url" },
      4999: { brand: "" },
    };
    for (const [i, patch] of Object.entries(bad)) Object.assign(all[Number(i)], patch);
    return { all, bad: Object.keys(bad).map(Number) };
  }

  it("ALL_OR_NOTHING reports exactly the 10 bad rows and writes nothing", async () => {
    const before = await catalogDigest(db.sql);
    const { all, bad } = rows("AON");
    const response = await gqlAs(gateway, ["editor"], mutation, { rows: all, mode: "ALL_OR_NOTHING" });
    const report = response.data!.importProducts as any;
    expect(report).toMatchObject({ created: 0, updated: 0, rejected: 10, committed: false });
    expect(report.rows.filter((r: any) => r.status === "REJECTED").map((r: any) => r.index)).toEqual(bad);
    expect(report.rows.filter((r: any) => r.status === "SKIPPED")).toHaveLength(4990);
    expect(await catalogDigest(db.sql)).toBe(before);
  });

  it("SKIP_INVALID writes the 4,990 good rows and reports the 10 bad ones with their field", async () => {
    const { all, bad } = rows("SKIP");
    const response = await gqlAs(gateway, ["editor"], mutation, { rows: all, mode: "SKIP_INVALID" });
    const report = response.data!.importProducts as any;
    expect(report).toMatchObject({ created: 4990, updated: 0, rejected: 10, committed: true });
    const rejected = report.rows.filter((r: any) => r.status === "REJECTED");
    expect(rejected.map((r: any) => r.index)).toEqual(bad);
    expect(rejected.find((r: any) => r.index === 3).field).toBe("rows[3].price");
    expect(rejected.find((r: any) => r.index === 999).field).toBe("rows[999].categoryId");
    expect(rejected.find((r: any) => r.index === 2500).field).toBe("rows[2500].attributes.nonsense");
    const [{ n }] = await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM products WHERE sku LIKE 'SKIP-%'`);
    expect(Number(n)).toBe(4990);
    const listed = await gqlData(gateway.url, `query($id: ID!) { category(id: $id) { productCount(includeDescendants: false) } }`, { id: categoryId });
    const [{ own }] = await db.sql.query<{ own: string }>(`SELECT count(*) AS own FROM products WHERE category_id = $1`, [categoryId]);
    expect(listed.category.productCount).toBe(Number(own));
  });

  it("a second run updates what changed and leaves the rest unchanged", async () => {
    const { all } = rows("SKIP");
    const good = all.filter((_, i) => ![3, 77, 150, 999, 1234, 2000, 2500, 3000, 4000, 4999].includes(i)).slice(0, 100);
    good[0].price = 99.99;
    const response = await gqlAs(gateway, ["editor"], mutation, { rows: good });
    expect(response.data!.importProducts).toMatchObject({ created: 0, updated: 1, unchanged: 99, rejected: 0, committed: true });
    const product = await gqlData(gateway.url, `query($sku: String!) { productBySku(sku: $sku) { price } }`, { sku: good[0].sku });
    expect(product.productBySku.price).toBe(99.99);
  });
});
