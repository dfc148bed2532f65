import { applyFootprint } from "../../src/cache/invalidation";
import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// Query.stats over HTTP against SQL aggregates written here, with the real Redis as cache.
describe("catalog statistics over HTTP (generated catalog, PostgreSQL, Redis)", () => {
  let db: Database;
  let gateway: Gateway;
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const STATS = `{ stats {
    productCount categoryCount priceMin priceAvg priceMax stockTotal
    byTopLevelCategory { category { id name } productCount }
    byBrand { brand productCount }
  } }`;
  const statements = async (work: () => Promise<unknown>) => {
    const before = db.counter.statements;
    await work();
    return db.counter.statements - before;
  };

  const fixture = useGateway({ label: "stats", catalog: { products: 1200, categories: 50 }, redis: true });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });

  async function expectEqualToSql() {
    const { stats } = await gqlData(gateway.url, STATS);
    const [totals] = await sql<{ n: string; min: string; avg: string; max: string; stock: string; categories: string }>(
      `SELECT count(*) AS n, min(price) AS min, avg(price) AS avg, max(price) AS max, sum(stock) AS stock,
              (SELECT count(*) FROM categories) AS categories FROM products`,
    );
    expect(stats.productCount).toBe(Number(totals.n));
    expect(stats.categoryCount).toBe(Number(totals.categories));
    expect(stats.priceMin).toBe(Number(totals.min));
    expect(stats.priceMax).toBe(Number(totals.max));
    expect(stats.priceAvg).toBeCloseTo(Number(totals.avg), 2);
    expect(stats.stockTotal).toBe(Number(totals.stock));
    const roots = await sql<{ id: number; n: string }>(
      `SELECT r.id, count(p.id) AS n FROM categories r LEFT JOIN categories d ON d.path LIKE r.path || '%'
         LEFT JOIN products p ON p.category_id = d.id WHERE r.parent_id IS NULL GROUP BY r.id`,
    );
    expect(stats.byTopLevelCategory).toHaveLength(roots.length);
    const byRoot = new Map(roots.map((row) => [String(row.id), Number(row.n)]));
    for (const row of stats.byTopLevelCategory) expect(row.productCount).toBe(byRoot.get(row.category.id));
    const brands = await sql<{ brand: string; n: string }>(`SELECT brand, count(*) AS n FROM products GROUP BY brand ORDER BY count(*) DESC, brand`);
    expect(stats.byBrand.map((row: any) => [row.brand, row.productCount])).toEqual(brands.map((row) => [row.brand, Number(row.n)]));
    return stats;
  }

  it("equals SQL aggregates over the tables", async () => {
    await expectEqualToSql();
  });

  it("is cached per statistic: a warm read costs no SQL, and only the selected parts are computed", async () => {
    expect(await statements(() => gqlData(gateway.url, STATS))).toBe(0);
    await applyFootprint(gateway.cache.store!, gateway.keys, { stats: true });
    // Only the summary is selected: one aggregate, not three.
    expect(await statements(() => gqlData(gateway.url, `{ stats { productCount priceMax } }`))).toBe(1);
    expect(await statements(() => gqlData(gateway.url, `{ stats { productCount priceMax } }`))).toBe(0);
  });

  const editor = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await gqlAs(gateway, ["editor"], query, variables);
    if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
    return response.data as Record<string, any>;
  };

  it("changes right after a product mutation", async () => {
    const before = await expectEqualToSql();
    const { createCategory } = await editor(`mutation { createCategory(input: { name: "Stats Probes" }) { id } }`);
    const { createProduct } = await editor(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`, {
      input: { sku: "STATS-1", name: "Stats Probe", brand: "Zzyzx Labs", price: 99999.99, stock: 1000, categoryId: createCategory.id },
    });
    const after = await expectEqualToSql();
    expect(after.categoryCount).toBe(before.categoryCount + 1);
    expect(after.productCount).toBe(before.productCount + 1);
    expect(after.priceMax).toBe(99999.99);
    expect(after.stockTotal).toBe(before.stockTotal + 1000);
    expect(after.byBrand.find((b: any) => b.brand === "Zzyzx Labs")).toEqual({ brand: "Zzyzx Labs", productCount: 1 });

    await editor(`mutation($id: ID!) { deleteProduct(id: $id) { deleted } }`, { id: createProduct.id });
    const restored = await expectEqualToSql();
    expect(restored.productCount).toBe(before.productCount);
  });
});
