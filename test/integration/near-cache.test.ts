import { Redis } from "ioredis";
import type { NearTier } from "../../src/cache/near-tier";
import { isResilientStore } from "../../src/cache/resilient-store";
import { loadConfig } from "../../src/config";
import { startGateway, type Gateway } from "../../src/server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { bearer, gqlData } from "../helpers/gateway";
import { deleteTestKeys, testPrefix, testRedisUrl, until } from "../helpers/redis-server";
import { seedGeneratedCatalog } from "../helpers/shared-data";

// The near cache (src/cache/near-tier.ts) on two gateways over one database and the machine's
// Redis: a write on one is never missed by a read on the other that starts after the write
// returned, a near hit costs no store round trip, the memory bound holds, and a lost tracking
// connection empties the near cache. With its invalidation switched off (a test-only fault) the
// same reads are stale: the tests could fail.
jest.setTimeout(120_000);

const VIEWS = `query($id: ID!, $sku: String!, $category: ID!) {
  product(id: $id) { price name category { id name parent { name } } }
  productBySku(sku: $sku) { price }
  category(id: $category) { name products(first: 100, orderBy: PRICE_ASC) { edges { node { id price } } } }
  categoryTree(maxDepth: 5) { id name children { id name children { id name children { id name children { id name children { id name } } } } } }
}`;

interface Row {
  id: number;
  sku: string;
  category_id: number;
}

/** What one gateway shows of a product and its category, four ways. */
interface Views {
  byId: number;
  bySku: number;
  listed: number | undefined;
  categoryName: string;
  inTree: string | undefined;
}

async function views(url: string, row: Row): Promise<Views> {
  const data = await gqlData(url, VIEWS, { id: String(row.id), sku: row.sku, category: String(row.category_id) });
  type Node = { id: string; name: string; children?: Node[] };
  const find = (nodes: Node[]): Node | undefined => {
    for (const node of nodes) {
      const found = node.id === String(row.category_id) ? node : find(node.children ?? []);
      if (found) return found;
    }
    return undefined;
  };
  return {
    byId: data.product.price,
    bySku: data.productBySku.price,
    listed: data.category.products.edges.find((edge: any) => edge.node.id === String(row.id))?.node.price,
    categoryName: data.category.name,
    inTree: find(data.categoryTree)?.name,
  };
}

/** How many of the five views differ from what the write left. */
function staleCount(seen: Views, price: number, categoryName: string): number {
  return [seen.byId !== price, seen.bySku !== price, seen.listed !== price, seen.categoryName !== categoryName, seen.inTree !== categoryName].filter(Boolean).length;
}

describe("near cache on two gateways sharing one Redis", () => {
  let db: TestDatabase;
  let rows: Row[];
  const prefix = testPrefix("near");
  const started: Gateway[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("near");
    await seedGeneratedCatalog(db, { products: 80, categories: 8 });
    // Products of categories the tree query below reaches (depth 0 to 5).
    rows = await db.sql.query<Row>(
      `SELECT p.id, p.sku, p.category_id FROM products p JOIN categories c ON c.id = p.category_id WHERE c.depth <= 5 ORDER BY p.id LIMIT 40`,
    );
    expect(rows).toHaveLength(40);
  });
  afterAll(async () => {
    for (const gateway of started) await gateway.stop();
    await db?.drop();
    await deleteTestKeys(prefix);
  });

  /** A gateway with the near cache on (whole responses off: every read is executed over the loaders). */
  async function gateway(env: Record<string, string> = {}, faults: { skipNearInvalidation?: boolean } = {}): Promise<Gateway & { near: NearTier }> {
    const config = loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      MIGRATE_ON_START: "false",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      REDIS_URL: testRedisUrl,
      CACHE_STORE: "redis",
      CACHE_PREFIX: prefix,
      CACHE_RESPONSES: "false",
      NEAR_CACHE: "on",
      ...env,
    });
    const started_ = await startGateway(config, { db, faults });
    started.push(started_);
    const near = started_.cache.near;
    if (!near) throw new Error("the near cache is not on");
    expect(await near.ready()).toBe(true);
    return Object.assign(started_, { near });
  }

  async function write(on: Gateway, row: Row, price: number, categoryName: string): Promise<void> {
    const editor = await bearer(on, "editor");
    await gqlData(on.url, `mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { price } }`, { id: String(row.id), price }, editor);
    await gqlData(on.url, `mutation($id: ID!, $name: String!) { updateCategory(id: $id, input: { name: $name }) { name } }`, { id: String(row.category_id), name: categoryName }, editor);
  }

  /**
   * Rounds of: `reader` reads `readsBefore` times (the last from its near cache: the second when the
   * loaders read near; the fourth when whole responses do: an answer is kept only when executed over
   * cached values, and kept near once read from Redis), `writer` writes, `reader` reads at once.
   * Returns the stale views of those reads.
   */
  async function rounds(writer: Gateway, reader: Gateway, sample: Row[], tag: string, readsBefore = 2): Promise<{ stale: number; views: number }> {
    let stale = 0;
    for (const [i, row] of sample.entries()) {
      for (let n = 0; n < readsBefore; n += 1) await views(reader.url, row);
      const price = 500 + i + Math.round(Math.random() * 100) / 100;
      const name = `${tag} ${i} ${Math.random().toString(36).slice(2, 6)}`;
      await write(writer, row, price, name);
      const seen = await views(reader.url, row);
      if (staleCount(seen, price, name) > 0) console.log(`stale after the write of ${price} ${name}: ${JSON.stringify(seen)}`);
      stale += staleCount(seen, price, name);
    }
    return { stale, views: 5 * sample.length };
  }

  it("a read on one gateway right after a write on the other returned is never stale (by id, SKU, listing, category, tree)", async () => {
    const a = await gateway();
    const b = await gateway();
    const hitsBefore = b.near.cache.counters.hits;
    const { stale, views: seen } = await rounds(a, b, rows.slice(0, 10), "a-to-b");
    console.log(`near cache on, invalidation on: ${stale} stale of ${seen} views; near hits on the reader ${b.near.cache.counters.hits - hitsBefore}, invalidations ${b.near.cache.counters.invalidations}`);
    expect(stale).toBe(0);
    // The reads did come from the near cache, and writes did reach it through Redis.
    expect(b.near.cache.counters.hits - hitsBefore).toBeGreaterThan(0);
    expect(b.near.cache.counters.invalidations).toBeGreaterThan(0);
    // And the other way round, the writer's own instance included.
    const back = await rounds(b, a, rows.slice(10, 15), "b-to-a");
    expect(back.stale).toBe(0);
  });

  it("a read answered near costs no store round trip, only the barrier", async () => {
    const b = await gateway();
    const row = rows[20];
    await views(b.url, row);
    await views(b.url, row);
    const roundTrips = b.cache.store!.roundTrips;
    const barriers = b.near.barriers.sent;
    const nearHits = b.cache.stats.snapshot().prod?.nearHit ?? 0;
    await views(b.url, row);
    expect(b.cache.store!.roundTrips - roundTrips).toBe(0);
    expect(b.near.barriers.sent - barriers).toBe(1);
    expect((b.cache.stats.snapshot().prod?.nearHit ?? 0) - nearHits).toBeGreaterThan(0);
  });

  it("holds no more than NEAR_CACHE_MAX_BYTES", async () => {
    const maxBytes = 16_384;
    const small = await gateway({ NEAR_CACHE_MAX_BYTES: String(maxBytes) });
    for (const row of rows) {
      await views(small.url, row);
      await views(small.url, row);
      expect(small.near.cache.size.bytes).toBeLessThanOrEqual(maxBytes);
    }
    // It was full (so the bound, not a lack of entries, kept it there) and still answered near.
    expect(small.near.cache.size.bytes).toBeGreaterThan(maxBytes / 2);
    expect(small.near.cache.counters.hits).toBeGreaterThan(0);
  });

  it("a killed tracking connection empties the near cache; writes meanwhile are not missed", async () => {
    const a = await gateway();
    const b = await gateway();
    const admin = new Redis(testRedisUrl);
    try {
      const row = rows[25];
      await views(b.url, row);
      await views(b.url, row);
      expect(b.near.cache.size.entries).toBeGreaterThan(0);
      const flushes = b.near.cache.counters.flushes;
      await admin.client("KILL", "ID", String(b.near.trackingClientId));
      // A write while b cannot hear Redis's messages.
      await write(a, row, 777.77, "written while b was deaf");
      expect(await until(() => b.near.cache.counters.flushes > flushes, 5000)).toBe(true);
      expect(staleCount(await views(b.url, row), 777.77, "written while b was deaf")).toBe(0);
      // It tracks again by itself, and serves near again.
      expect(await b.near.ready()).toBe(true);
      await views(b.url, row);
      const hits = b.near.cache.counters.hits;
      expect(staleCount(await views(b.url, row), 777.77, "written while b was deaf")).toBe(0);
      expect(b.near.cache.counters.hits).toBeGreaterThan(hits);
    } finally {
      admin.disconnect();
    }
  });

  it("holds nothing while the store's circuit is not closed, and fills again once it is", async () => {
    const b = await gateway({ CACHE_CIRCUIT_COOL_DOWN_MS: "100" });
    const store = b.cache.store!;
    if (!isResilientStore(store)) throw new Error("expected the resilient store");
    const row = rows[28];
    await views(b.url, row);
    await views(b.url, row);
    expect(b.near.cache.size.entries).toBeGreaterThan(0);
    store.fence("test", "the test cuts the cache off");
    expect(store.state).toBe("open");
    expect(b.near.cache.size.entries).toBe(0);
    const hits = b.near.cache.counters.hits;
    await views(b.url, row);
    expect(b.near.cache.size.entries).toBe(0);
    expect(b.near.cache.counters.hits).toBe(hits);
    store.fence("test", null);
    expect(await until(() => store.state === "closed", 10_000)).toBe(true);
    await views(b.url, row);
    await views(b.url, row);
    expect(b.near.cache.counters.hits).toBeGreaterThan(hits);
  });

  describe("whole responses (CACHE_RESPONSES) answered near", () => {
    const responses = { CACHE_RESPONSES: "true" };
    const nearHits = (g: Gateway) => g.cache.stats.snapshot().resp?.nearHit ?? 0;

    it("a kept answer read once from Redis is then answered with no store round trip, and a write on the other gateway retires it at once", async () => {
      const a = await gateway(responses);
      const b = await gateway(responses);
      const row = rows[36];
      await views(b.url, row); // executed over the database: not kept
      await views(b.url, row); // executed over cached values, kept
      await views(b.url, row); // a hit read from Redis, kept near
      const roundTrips = b.cache.store!.roundTrips;
      const hits = nearHits(b);
      const seen = await views(b.url, row);
      expect(b.cache.store!.roundTrips - roundTrips).toBe(0);
      expect(nearHits(b) - hits).toBe(1);
      const price = 900 + Math.round(Math.random() * 100) / 100;
      const name = `near response ${Math.random().toString(36).slice(2, 6)}`;
      expect(staleCount(seen, price, name)).toBeGreaterThan(0);
      await write(a, row, price, name);
      expect(staleCount(await views(b.url, row), price, name)).toBe(0);
    });

    it("a read on one gateway right after a write on the other returned is never stale", async () => {
      const a = await gateway(responses);
      const b = await gateway(responses);
      const hits = nearHits(b);
      const { stale, views: seen } = await rounds(a, b, rows.slice(0, 8), "resp a-to-b", 4);
      console.log(`whole responses near, invalidation on: ${stale} stale of ${seen} views; near hits ${nearHits(b) - hits}`);
      expect(stale).toBe(0);
      expect(nearHits(b) - hits).toBeGreaterThan(0);
    });

    it("an answer that read no product stays near through a price write", async () => {
      const a = await gateway(responses);
      const b = await gateway(responses);
      const row = rows[37];
      const query = `query($id: ID!) { category(id: $id) { id name children { id name } } }`;
      const variables = { id: String(row.category_id) };
      for (let n = 0; n < 3; n += 1) await gqlData(b.url, query, variables);
      const editor = await bearer(a, "editor");
      await gqlData(a.url, `mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { price } }`, { id: String(row.id), price: 123.45 }, editor);
      const roundTrips = b.cache.store!.roundTrips;
      const hits = nearHits(b);
      await gqlData(b.url, query, variables);
      expect(nearHits(b) - hits).toBe(1);
      expect(b.cache.store!.roundTrips - roundTrips).toBe(0);
    });

    // A price write moves `@prod`, so these answers' epochs no longer hold near: what keeps them
    // near is their version vector, checked on the counters held near (`=prod:<id>`, ...).
    const misses = (g: Gateway) => g.cache.stats.snapshot().resp?.miss ?? 0;
    const setPrice = async (on: Gateway, id: number, price: number) => {
      const editor = await bearer(on, "editor");
      await gqlData(on.url, `mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { price } }`, { id: String(id), price }, editor);
    };
    /** Reads `read` on `g` until it is answered near (at most 4 reads: executed, kept, read from Redis and kept near, near). */
    async function warmNear<T>(g: Gateway, read: () => Promise<T>): Promise<T> {
      for (let n = 0; n < 4; n += 1) {
        const hits = nearHits(g);
        const seen = await read();
        if (nearHits(g) > hits) return seen;
      }
      throw new Error("never answered near");
    }
    /** `read` on `g`, with the store round trips and near hits it cost. */
    async function measured<T>(g: Gateway, read: () => Promise<T>): Promise<{ seen: T; roundTrips: number; nearHits: number; misses: number }> {
      const [roundTrips, hits, missed] = [g.cache.store!.roundTrips, nearHits(g), misses(g)];
      const seen = await read();
      return { seen, roundTrips: g.cache.store!.roundTrips - roundTrips, nearHits: nearHits(g) - hits, misses: misses(g) - missed };
    }

    it("a price write of one product leaves the answer of another answered near with no store round trip, on both gateways, and retires its own", async () => {
      const a = await gateway(responses);
      const b = await gateway(responses);
      const [written, other] = [rows[38], rows[39]];
      const query = `query($sku: String!) { productBySku(sku: $sku) { sku price name } }`;
      const bySku = (g: Gateway, row: Row) => () => gqlData(g.url, query, { sku: row.sku }).then((data) => data.productBySku);
      const before = new Map<Gateway, number>();
      for (const g of [a, b]) {
        await warmNear(g, bySku(g, written));
        before.set(g, (await warmNear(g, bySku(g, other))).price);
      }
      const price = 600 + Math.round(Math.random() * 100) / 100;
      await setPrice(a, written.id, price);
      let executed = 0;
      for (const g of [a, b]) {
        const untouched = await measured(g, bySku(g, other));
        expect(untouched.seen.price).toBe(before.get(g));
        expect(untouched.nearHits).toBe(1);
        expect(untouched.roundTrips).toBe(0);
        // The written product's answer is not served near (its `=prod:<id>` was evicted), and shows the new price.
        const retired = await measured(g, bySku(g, written));
        expect(retired.seen.price).toBe(price);
        expect(retired.nearHits).toBe(0);
        executed += retired.misses;
        // And once more, the other answer near: the first near check left it as it was.
        expect((await measured(g, bySku(g, other))).roundTrips).toBe(0);
      }
      // Executed once (on the first gateway, which kept it at once; the second read that from Redis).
      expect(executed).toBe(1);
    });

    it("a page of many products stays near through a write to a product not on it, and a write to one on it retires it (0 stale)", async () => {
      const a = await gateway(responses);
      const b = await gateway(responses);
      // The category with the most products of its own, and a product outside its subtree (whose
      // write moves no listing generation of that category).
      const [{ category_id: category }] = await db.sql.query<{ category_id: number }>(
        `SELECT category_id FROM products GROUP BY category_id ORDER BY count(*) DESC, category_id LIMIT 1`,
      );
      const [outside] = await db.sql.query<Row>(
        `SELECT p.id, p.sku, p.category_id FROM products p JOIN categories c ON c.id = p.category_id
         WHERE NOT c.path LIKE (SELECT path FROM categories WHERE id = $1) || '%' ORDER BY p.id LIMIT 1`,
        [category],
      );
      const query = `query($c: ID!) { products(categoryId: $c, includeDescendants: false, first: 50) { edges { node { id price } } } }`;
      type Page = { id: string; price: number }[];
      const page = (g: Gateway) => () => gqlData(g.url, query, { c: String(category) }).then((data) => data.products.edges.map((edge: any) => edge.node) as Page);
      const pages = new Map<Gateway, Page>();
      for (const g of [a, b]) pages.set(g, await warmNear(g, page(g)));
      const listed = pages.get(a)!;
      expect(listed.length).toBeGreaterThan(5);
      expect(listed.some((node) => node.id === String(outside.id))).toBe(false);

      await setPrice(a, outside.id, 700 + Math.round(Math.random() * 100) / 100);
      for (const g of [a, b]) {
        const survived = await measured(g, page(g));
        expect(survived.seen).toEqual(pages.get(g));
        expect(survived.nearHits).toBe(1);
        expect(survived.roundTrips).toBe(0);
      }

      // A product on the page: the page is retired on both gateways, and shows the new price at once.
      const onPage = listed[Math.floor(listed.length / 2)];
      const price = Math.round((onPage.price + 0.01) * 100) / 100;
      await setPrice(a, Number(onPage.id), price);
      for (const g of [a, b]) {
        const retired = await measured(g, page(g));
        expect(retired.nearHits).toBe(0);
        expect(retired.seen.find((node) => node.id === onPage.id)?.price).toBe(price);
      }
    });

    it("a write that lands between a read from Redis and its keep: nothing it moved is kept near, so the answer is executed again", async () => {
      const a = await gateway(responses);
      const b = await gateway(responses);
      const row = rows[35];
      const query = `query($sku: String!) { productBySku(sku: $sku) { price } }`;
      const price = () => gqlData(b.url, query, { sku: row.sku }).then((data) => data.productBySku.price as number);
      // Executed (and kept in Redis by its own fill), not yet read from Redis.
      await setPrice(a, row.id, 300);
      await price();
      // The next read from Redis (readVersioned) is answered, then the write lands and its
      // messages reach b (b's barrier passed after it returned), and only then b keeps what it read.
      const store = b.cache.store!;
      const read = store.readVersioned!.bind(store);
      let raced = false;
      store.readVersioned = async (key, stampKey) => {
        const answer = await read(key, stampKey);
        if (!raced && answer) {
          raced = true;
          await setPrice(a, row.id, 301);
          expect(await b.near.session(() => true).lookup([])).toEqual([]);
        }
        return answer;
      };
      const refused = b.near.cache.counters.refused;
      // Until a read from Redis found it kept (one, unless the machine is slow to keep it), which saw the price before the write.
      for (let n = 0; n < 3 && !raced; n += 1) expect(await price()).toBe(300);
      expect(raced).toBe(true);
      // The entry was kept, its epochs and its counters of the written product were not.
      expect(b.near.cache.counters.refused - refused).toBeGreaterThan(0);
      const hits = nearHits(b);
      expect(await price()).toBe(301);
      expect(nearHits(b)).toBe(hits);
    });

    it("with the near cache's invalidation switched off (a test-only fault), answers served near are stale", async () => {
      const a = await gateway(responses);
      const deaf = await gateway(responses, { skipNearInvalidation: true });
      const { stale, views: seen } = await rounds(a, deaf, rows.slice(8, 12), "resp deaf", 4);
      console.log(`whole responses near, invalidation off: ${stale} stale of ${seen} views`);
      expect(stale).toBeGreaterThan(0);
    });
  });

  it("with its invalidation switched off (a test-only fault), the same reads are stale", async () => {
    const a = await gateway();
    const deaf = await gateway({}, { skipNearInvalidation: true });
    const { stale, views: seen } = await rounds(a, deaf, rows.slice(30, 35), "deaf");
    console.log(`near cache on, invalidation off: ${stale} stale of ${seen} views`);
    expect(stale).toBeGreaterThan(0);
  });
});
