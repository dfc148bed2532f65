import { Redis } from "ioredis";
import type { Gateway } from "../../src/server";
import type { Database } from "../../src/data/database";
import { bearer, gql, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// The read path over the machine's real Redis, through HTTP: what lands in Redis, what a warm
// request costs in SQL statements and round trips, and single flight under concurrency.
describe("read-through cache on Redis", () => {
  let db: Database;
  let gateway: Gateway;
  let redis: Redis;

  const fixture = useGateway({
    label: "cache",
    catalog: { products: 600, categories: 40 },
    redis: true,
    // These tests count SQL statements and hits: on a loaded machine a store call past the default
    // 250 ms timeout would turn a hit into a (correct, but counted) database read.
    env: { REDIS_COMMAND_TIMEOUT_MS: "3000" },
  });
  beforeAll(() => {
    ({ db, gateway, redis } = fixture);
  });

  const statements = async (work: () => Promise<unknown>) => {
    const before = db.counter.statements;
    await work();
    return db.counter.statements - before;
  };

  it("stores prod:sku and prod with TTLs in the configured range, then answers with no SQL", async () => {
    const [row] = await db.sql.query<{ id: number; sku: string }>(`SELECT id, sku FROM products ORDER BY id LIMIT 1`);
    const query = `query($sku: String!) { productBySku(sku: $sku) { id name price } }`;
    const cold = await statements(() => gqlData(gateway.url, query, { sku: row.sku }));
    expect(cold).toBe(2);
    const ttls = gateway.config.cache.ttlSeconds;
    for (const [key, ttl] of [[`${fixture.prefix}{prod:sku:${row.sku}}`, ttls["prod:sku"]], [`${fixture.prefix}{prod:${row.id}}`, ttls.prod]] as const) {
      const remaining = await redis.ttl(key);
      expect(remaining).toBeGreaterThan(ttl * 0.85);
      expect(remaining).toBeLessThanOrEqual(ttl);
    }
    expect(await statements(() => gqlData(gateway.url, query, { sku: row.sku }))).toBe(0);
  });

  it("caches a missing SKU briefly, so a flood of misses does not reach the database", async () => {
    const query = `{ productBySku(sku: "no-such-sku-anywhere") { id } }`;
    expect(await statements(() => gqlData(gateway.url, query))).toBe(1);
    expect(await statements(() => Promise.all(Array.from({ length: 20 }, () => gqlData(gateway.url, query))))).toBe(0);
    const ttl = await redis.ttl(`${fixture.prefix}{prod:sku:no-such-sku-anywhere}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(gateway.config.cache.negativeTtlSeconds);
  });

  it("answers the warm 100-product nested query with no SQL and one round trip per level", async () => {
    const query = `{ products(first: 100, orderBy: NAME_ASC) { edges { node { name category { name parent { name } } } } } }`;
    const cold = await statements(() => gqlData(gateway.url, query));
    expect(cold).toBeLessThanOrEqual(5);
    let trace: any;
    const warm = await statements(async () => {
      const response = await gql(gateway.url, query, {}, { "x-cache-trace": "1" });
      trace = response.extensions?.cache;
    });
    expect(warm).toBe(0);
    // The page, the product rows, their categories, the parents: one MGET-like round trip each.
    expect(trace.roundTrips).toBe(4);
    expect(trace.families["prods:cat"]).toEqual({ hits: 1, misses: 0, roundTrips: 1 });
    expect(trace.families.prod).toMatchObject({ hits: 100, misses: 0, roundTrips: 1 });
    expect(trace.families.cat.roundTrips).toBe(2);
  });

  it("loads a key once for 50 concurrent identical cold requests (single flight)", async () => {
    const [row] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id DESC LIMIT 1`);
    const query = `query($id: ID!) { product(id: $id) { id name } }`;
    const cost = await statements(() =>
      Promise.all(Array.from({ length: 50 }, () => gqlData(gateway.url, query, { id: String(row.id) }))),
    );
    expect(cost).toBe(1);
  });

  it("reports per-family counters in cacheStats and on /metrics", async () => {
    const data = await gqlData(gateway.url, `{ cacheStats { store available circuit keyCount families { family hits misses hitRate } } }`);
    expect(data.cacheStats).toMatchObject({ store: "redis", available: true, circuit: "closed" });
    const prod = data.cacheStats.families.find((f: { family: string }) => f.family === "prod");
    expect(prod.hits).toBeGreaterThan(0);
    const metrics = await (await fetch(new URL("/metrics", gateway.url))).text();
    expect(metrics).toMatch(/catalog_cache_events_total\{family="prod",event="hit"\} [1-9]\d*/);
    expect(metrics).toMatch(/catalog_sql_statements_total [1-9]\d*/);
    expect(metrics).toMatch(/catalog_cache_store_round_trips_total [1-9]\d*/);
    expect(metrics).toMatch(/catalog_cache_store_seconds_count\{family="prod",operation="read"\} [1-9]\d*/);
  });

  it("warms the tree, the categories and the top products, then serves them with no SQL", async () => {
    const data = await gqlData(
      gateway.url,
      `mutation { warmCache(topProducts: 50) { categories products alreadyCached durationMs } }`,
      {},
      await bearer(gateway, "admin"),
    );
    expect(data.warmCache.categories).toBe(40);
    expect(data.warmCache.products).toBe(50);
    const [top] = await db.sql.query<{ sku: string }>(`SELECT sku FROM products ORDER BY popularity DESC, id LIMIT 1`);
    const cost = await statements(() =>
      gqlData(gateway.url, `query($sku: String!) { productBySku(sku: $sku) { name category { name } } categoryTree(maxDepth: 2) { name } }`, {
        sku: top.sku,
      }),
    );
    expect(cost).toBe(0);
  });

  it("retires a family or some keys with invalidateCache, without a scan", async () => {
    const [row] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 1`);
    const query = `query($id: ID!) { product(id: $id) { name } }`;
    await gqlData(gateway.url, query, { id: String(row.id) });
    expect(await statements(() => gqlData(gateway.url, query, { id: String(row.id) }))).toBe(0);
    const admin = await bearer(gateway, "admin");
    const some = await gqlData(
      gateway.url,
      `mutation($ids: [ID!]) { invalidateCache(family: PRODUCT, ids: $ids) { deletedKeys generations } }`,
      { ids: [String(row.id)] },
      admin,
    );
    expect(some.invalidateCache).toEqual({ deletedKeys: 1, generations: 0 });
    expect(await statements(() => gqlData(gateway.url, query, { id: String(row.id) }))).toBe(1);
    const all = await gqlData(gateway.url, `mutation { invalidateCache(family: PRODUCT) { deletedKeys generations } }`, {}, admin);
    expect(all.invalidateCache).toEqual({ deletedKeys: 0, generations: 1 });
    expect(await statements(() => gqlData(gateway.url, query, { id: String(row.id) }))).toBe(1);
    expect(await statements(() => gqlData(gateway.url, query, { id: String(row.id) }))).toBe(0);
  });
});
