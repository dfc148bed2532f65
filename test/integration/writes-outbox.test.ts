import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { bearer, gqlAs, gqlData } from "../helpers/gateway";
import { ownRedis, until, type OwnRedis } from "../helpers/redis-server";
import { useGateway } from "../helpers/use-gateway";

const productQuery = `query($id: ID!) { product(id: $id) { price } }`;

// A write whose invalidation cannot reach Redis (frozen: it keeps its data but answers nothing)
// commits, keeps its footprint in the outbox, and no read serves the stale entry: not while Redis
// is away (the circuit is open, reads go to the database), nor once it is back (the outbox is
// replayed before the circuit closes).
describe("the invalidation outbox when Redis stops answering", () => {
  let db: Database;
  let redis: OwnRedis;
  let gateway: Gateway;

  // The redis-server is the test's own (it is frozen and thawed); it outlives the gateway.
  beforeAll(async () => {
    redis = await ownRedis();
    await redis.start();
  });
  const fixture = useGateway({ label: "outbox", catalog: { products: 100, categories: 10 }, env: () => ({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: "100" }) });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });
  afterAll(() => redis?.dispose());

  it("keeps the footprint, serves no stale read, and replays it when Redis answers again", async () => {
    const [{ id }] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 1`);
    expect(await until(async () => (await gqlData(gateway.url, `{ cacheStats { available } }`)).cacheStats.available, 10_000)).toBe(true);
    await gqlData(gateway.url, productQuery, { id: String(id) });
    await gqlData(gateway.url, productQuery, { id: String(id) }); // cached now

    redis.freeze();
    const write = await gqlAs(gateway, ["editor"], `mutation($id: ID!) { updateProduct(id: $id, input: { price: 777.77 }) { price } }`, { id: String(id) });
    expect(write.data?.updateProduct).toEqual({ price: 777.77 });
    const [{ n }] = await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM cache_outbox WHERE applied_at IS NULL`);
    expect(Number(n)).toBe(1);
    // Redis still holds the old row; the gateway must not serve it.
    for (let i = 0; i < 5; i += 1) expect((await gqlData(gateway.url, productQuery, { id: String(id) })).product.price).toBe(777.77);

    redis.thaw();
    expect(await until(async () => Number((await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM cache_outbox WHERE applied_at IS NULL`))[0].n) === 0, 15_000)).toBe(true);
    expect(await until(async () => (await gqlData(gateway.url, `{ cacheStats { circuit } }`)).cacheStats.circuit === "closed", 15_000)).toBe(true);
    for (let i = 0; i < 5; i += 1) expect((await gqlData(gateway.url, productQuery, { id: String(id) })).product.price).toBe(777.77);
  });
});

// Moving a category with hundreds of descendants: every record holding their ancestry is retired,
// in a fixed number of Redis round trips, not one per descendant.
describe("moving a large subtree", () => {
  let db: Database;
  let gateway: Gateway;

  const fixture = useGateway({ label: "move", catalog: { products: 2000, categories: 3000 }, redis: true });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });

  it("retires the whole subtree's records in at most two round trips", async () => {
    const [big] = await db.sql.query<{ id: number; path: string; n: string }>(`
      SELECT r.id, r.path, (SELECT count(*) FROM categories d WHERE d.path LIKE r.path || '%' AND d.id <> r.id) AS n
      FROM categories r WHERE r.parent_id IS NULL ORDER BY n DESC LIMIT 1`);
    expect(Number(big.n)).toBeGreaterThanOrEqual(200);
    const [target] = await db.sql.query<{ id: number }>(`SELECT id FROM categories WHERE parent_id IS NULL AND id <> $1 ORDER BY id LIMIT 1`, [big.id]);
    const descendants = (await db.sql.query<{ id: number }>(`SELECT id FROM categories WHERE path LIKE $1 AND id <> $2`, [`${big.path}%`, big.id])).map((r) => r.id);
    const breadcrumbs = `{ a: category(id: "${descendants[0]}") { depth ancestors { id } } b: category(id: "${descendants.at(-1)}") { depth ancestors { id } } }`;
    await gqlData(gateway.url, `mutation { warmCache(topProducts: 0) { categories } }`, {}, await bearer(gateway, "admin"));
    await gqlData(gateway.url, breadcrumbs);
    const store = gateway.cache.store!;
    const before = store.roundTrips;
    const moved = await gqlAs(gateway, ["editor"], `mutation($id: ID!, $to: ID!) { updateCategory(id: $id, input: { parentId: $to }) { depth } }`, {
      id: String(big.id),
      to: String(target.id),
    });
    expect(moved.data?.updateCategory).toEqual({ depth: 1 });
    const roundTrips = store.roundTrips - before;
    expect(roundTrips).toBeLessThanOrEqual(2);
    const after = await gqlData(gateway.url, breadcrumbs);
    for (const view of [after.a, after.b]) expect(view.ancestors[0].id).toBe(String(target.id));
    console.log(`moving ${descendants.length} descendants cost ${roundTrips} Redis round trips`);
  });
});

// CACHE_WRITE_THROUGH: the written rows are filled into the cache (through the guarded read path)
// before the mutation returns, so the next read of them needs no SQL.
describe("write-through", () => {
  let db: Database;
  let gateway: Gateway;

  const fixture = useGateway({ label: "through", catalog: { products: 50, categories: 8 }, env: { CACHE_WRITE_THROUGH: "true" }, redis: true });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });

  it("answers the next read of an updated product from the cache", async () => {
    const [{ id }] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 1`);
    const updated = await gqlAs(gateway, ["editor"], `mutation($id: ID!) { updateProduct(id: $id, input: { price: 5.55, sku: "THRU-1" }) { id } }`, { id: String(id) });
    expect(updated.errors).toBeUndefined();
    const before = db.counter.statements;
    const read = await gqlData(gateway.url, `{ productBySku(sku: "THRU-1") { price } }`);
    expect(read.productBySku.price).toBe(5.55);
    expect(db.counter.statements - before).toBe(0);
  });
});
