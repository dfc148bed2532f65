import { Redis } from "ioredis";
import { isResilientStore } from "../../src/cache/resilient-store";
import type { Gateway } from "../../src/server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { bearer, gql, gqlData, startTestGateway } from "../helpers/gateway";
import { ownRedis, sleep, testPrefix, until, type OwnRedis } from "../helpers/redis-server";
import { seedGeneratedCatalog } from "../helpers/shared-data";
import { createTcpProxy, type TcpProxy } from "../../scripts/consistency/tcp-proxy";

// Faults between one gateway and Redis that the others do not share, on a redis-server and a TCP
// proxy the test controls: a gateway cut off from Redis while another is not (its invalidation is
// handed to the other through PostgreSQL before the write returns), and a failover to a replica
// that missed the last invalidations (they are applied again on the new server).
jest.setTimeout(300_000);

const PRODUCT = `query($id: ID!, $sku: String!, $category: ID!) {
  product(id: $id) { price }
  productBySku(sku: $sku) { price }
  products(categoryId: $category, first: 100, orderBy: NAME_ASC) { edges { node { id price } } }
}`;

interface Row {
  id: number;
  sku: string;
  category_id: number;
}

/** Reads a product three ways; returns how many of them show a price other than `expected`. */
async function staleViews(url: string, row: Row, expected: number): Promise<number> {
  const data = await gqlData(url, PRODUCT, { id: String(row.id), sku: row.sku, category: String(row.category_id) });
  const listed = data.products.edges.find((edge: any) => edge.node.id === String(row.id))?.node.price;
  return [data.product.price, data.productBySku.price, listed].filter((price) => price !== expected).length;
}

describe("one gateway cut off from Redis while another is not", () => {
  let db: TestDatabase;
  let redis: OwnRedis;
  let proxy: TcpProxy;
  let rows: Row[];

  beforeAll(async () => {
    db = await createTestDatabase("partition");
    await seedGeneratedCatalog(db, { products: 60, categories: 6 });
    rows = await db.sql.query<Row>(`SELECT id, sku, category_id FROM products ORDER BY id LIMIT 20`);
    redis = await ownRedis();
    await redis.start();
    proxy = await createTcpProxy(redis.port);
  });
  afterAll(async () => {
    await proxy?.close();
    await redis?.dispose();
    await db?.drop();
  });

  /** Two gateways on one database and one cache: the first reaches Redis through the proxy. Rounds of: warm on the second, cut, write on the first, read on the second. */
  async function run(handOff: boolean, products: Row[]): Promise<{ stale: number; reads: number }> {
    const env = (url: string) => ({
      REDIS_URL: url,
      CACHE_PREFIX: testPrefix("partition"),
      REDIS_COMMAND_TIMEOUT_MS: "100",
      OUTBOX_HANDOFF: String(handOff),
      OUTBOX_LISTENER_HEARTBEAT_MS: "200",
      CACHE_CIRCUIT_COOL_DOWN_MS: "200",
    });
    const prefix = testPrefix("partition");
    const cutOff: Gateway = await startTestGateway(db, { env: { ...env(proxy.url("redis")), CACHE_PREFIX: prefix } });
    const other: Gateway = await startTestGateway(db, { env: { ...env(redis.url), CACHE_PREFIX: prefix } });
    const editor = await bearer(cutOff, "editor");
    let stale = 0;
    let reads = 0;
    try {
      for (const [i, row] of products.entries()) {
        const [{ price }] = await db.sql.query<{ price: number }>(`SELECT price::float8 AS price FROM products WHERE id = $1`, [row.id]);
        await staleViews(other.url, row, price);
        expect(await staleViews(other.url, row, price)).toBe(0); // now answered from the cache
        proxy.cut();
        const newPrice = 1000 + i;
        const write = await gql(cutOff.url, `mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { price } }`, { id: String(row.id), price: newPrice }, editor);
        expect(write.data?.updateProduct.price).toBe(newPrice);
        stale += await staleViews(other.url, row, newPrice);
        reads += 3;
        proxy.heal();
        // The cut-off gateway's circuit closes again once Redis answers it (and its replay ran).
        expect(await until(() => isResilientStore(cutOff.cache.store!) && cutOff.cache.store.state === "closed", 30_000)).toBe(true);
      }
    } finally {
      proxy.heal();
      await cutOff.stop();
      await other.stop();
    }
    return { stale, reads };
  }

  it("hands its invalidation to the other instance before the write returns: 0 stale reads", async () => {
    const { stale, reads } = await run(true, rows.slice(0, 5));
    console.log(`partition, hand-off on: ${stale} stale of ${reads} reads`);
    expect(stale).toBe(0);
  });

  it("without the hand-off, the other instance serves what the write changed", async () => {
    const { stale, reads } = await run(false, rows.slice(5, 8));
    console.log(`partition, hand-off off: ${stale} stale of ${reads} reads`);
    expect(stale).toBeGreaterThan(0);
  });
});

describe("a Redis failover to a replica that missed the last invalidations", () => {
  let db: TestDatabase;
  let row: Row;

  beforeAll(async () => {
    db = await createTestDatabase("failover");
    await seedGeneratedCatalog(db, { products: 30, categories: 3 });
    [row] = await db.sql.query<Row>(`SELECT id, sku, category_id FROM products ORDER BY id LIMIT 1`);
  });
  afterAll(() => db?.drop());

  /** Primary and replica, the gateway through a proxy to the primary; the replica stops replicating before a write, the primary dies, the proxy moves to the replica. */
  async function failover(retainSeconds: number, pauseBeforeFailoverMs: number): Promise<number> {
    const primary = await ownRedis();
    const replica = await ownRedis();
    await primary.start();
    await replica.start();
    const proxy = await createTcpProxy(primary.port);
    const replicaClient = new Redis(replica.url);
    let gateway: Gateway | undefined;
    try {
      await replicaClient.replicaof("127.0.0.1", primary.port);
      await until(async () => /master_link_status:up/.test(await replicaClient.info("replication")), 20_000);
      gateway = await startTestGateway(db, {
        env: { REDIS_URL: proxy.url("redis"), CACHE_PREFIX: testPrefix("failover"), OUTBOX_RETAIN_SECONDS: String(retainSeconds), CACHE_CIRCUIT_COOL_DOWN_MS: "200" },
      });
      const [{ price }] = await db.sql.query<{ price: number }>(`SELECT price::float8 AS price FROM products WHERE id = $1`, [row.id]);
      await staleViews(gateway.url, row, price);
      expect(await staleViews(gateway.url, row, price)).toBe(0);
      // Everything cached so far reached the replica; then it stops hearing the primary (a lagging replica).
      const primaryClient = new Redis(primary.url);
      await primaryClient.wait(1, 5000);
      primaryClient.disconnect();
      await replicaClient.replicaof("NO", "ONE");

      const newPrice = price + 7;
      await gql(gateway.url, `mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { price } }`, { id: String(row.id), price: newPrice }, await bearer(gateway, "editor"));
      await sleep(pauseBeforeFailoverMs);
      await primary.kill();
      proxy.retarget(replica.port);
      const store = gateway.cache.store!;
      await sleep(50);
      await until(() => isResilientStore(store) && store.state === "closed" && store.fencedBy === null, 30_000);
      return staleViews(gateway.url, row, newPrice);
    } finally {
      await gateway?.stop();
      replicaClient.disconnect();
      await proxy.close();
      await primary.dispose();
      await replica.dispose();
    }
  }

  it("applies the recent invalidations again on the new server: nothing the write retired comes back", async () => {
    expect(await failover(300, 0)).toBe(0);
  });

  it("without the replay window, the promoted replica serves what the write retired", async () => {
    // Retention of 1 s and a 1.5 s pause: the write's row is no longer recent when the server changes.
    expect(await failover(1, 1500)).toBeGreaterThan(0);
  });
});
