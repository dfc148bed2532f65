import { Client } from "pg";
import { loadConfig } from "../../src/config";
import { startGateway, type Gateway } from "../../src/server";
import { bearer, executorEnv, gql } from "../helpers/gateway";
import { createPostgresServer, postgresBinDir, type PostgresServer } from "../helpers/postgres-server";
import { deleteTestKeys, testPrefix, testRedisUrl } from "../helpers/redis-server";

// PostgreSQL down, on a cluster of the test's own that it stops and starts: a gateway started
// while it is down waits for it (HTTP up, /ready 503 with the reason) and becomes ready by itself;
// a running gateway answers what the cache holds and SERVICE_UNAVAILABLE for the rest, writing nothing.
jest.setTimeout(300_000);

const bin = postgresBinDir();
if (!bin) console.log("database-down tests skipped: no PostgreSQL server binaries (initdb) on this machine");
const describeWithPostgres = bin ? describe : describe.skip;

async function until<T>(probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const getJson = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

describeWithPostgres("PostgreSQL down", () => {
  let pg: PostgresServer;
  let gateways: Gateway[] = [];

  beforeAll(async () => {
    pg = await createPostgresServer({ start: false });
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop().catch(() => undefined);
    await deleteTestKeys("cgtest:pgdown:");
    pg?.destroy();
  });

  const env = () => ({
      ...executorEnv(),
      NODE_ENV: "test",
      PORT: "0",
      DATABASE_URL: pg.url,
      DATABASE_CONNECT_TIMEOUT_MS: "1000",
      MIGRATE_ON_START: "true",
      SEED_PRODUCTS: "30",
      SEED_CATEGORIES: "3",
      VECTOR_INDEX: "none",
      CACHE_STORE: "memory",
      CACHE_RESPONSES: "false",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    });
  const config = () => loadConfig(env());

  it("two gateways started while it is down answer /health, say why in /ready, and become ready by themselves, migrating and seeding once", async () => {
    const urls: string[] = [];
    const starts = [0, 1].map(() => startGateway(config(), { onListening: (url) => urls.push(url) }));
    await until(async () => (urls.length === 2 ? true : null));

    for (const url of urls) {
      expect((await fetch(new URL("/health", url))).status).toBe(200);
      const ready = await until(async () => {
        const answer = await getJson(new URL("/ready", url).toString());
        return answer.body.reason ? answer : null;
      });
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: "starting", step: "migrating" });
      expect(ready.body.reason).toMatch(/database cannot be reached/);
      const query = await gql(url, "{ products(first: 1) { totalCount } }");
      expect(query.errors?.[0].extensions?.code).toBe("SERVICE_UNAVAILABLE");
    }

    pg.start();
    gateways = await Promise.all(starts);
    for (const gateway of gateways) {
      expect((await getJson(new URL("/ready", gateway.url).toString())).status).toBe(200);
      const { data } = await gql(gateway.url, "{ products(first: 1) { totalCount } }");
      expect(data?.products.totalCount).toBe(30);
    }
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
      const migrations = await client.query(`SELECT name, count(*)::int AS n FROM _catalog_migrations GROUP BY name`);
      expect(migrations.rows.length).toBeGreaterThan(0);
      expect(migrations.rows.every((row) => row.n === 1)).toBe(true);
      expect((await client.query(`SELECT count(*)::int AS n FROM products`)).rows[0].n).toBe(30);
    } finally {
      await client.end();
    }
  });

  it("a running gateway serves what its cache holds, answers SERVICE_UNAVAILABLE for the rest, writes nothing, and recovers by itself", async () => {
    const [gateway] = gateways;
    // A third instance on Redis: its invalidation listener loses PostgreSQL too, and it must keep
    // serving its cache all the same (cached reads outlive a database outage).
    const onRedis = await startGateway(loadConfig({ ...env(), MIGRATE_ON_START: "false", CACHE_STORE: "redis", REDIS_URL: testRedisUrl, CACHE_PREFIX: testPrefix("pgdown") }));
    gateways.push(onRedis);
    const byId = `query($id: ID!) { product(id: $id) { id price } }`;
    const cached = await gql(gateway.url, byId, { id: "1" });
    expect(cached.data?.product.id).toBe("1");
    const price = cached.data!.product.price;
    expect((await gql(onRedis.url, byId, { id: "1" })).data?.product.price).toBe(price);

    pg.stop();
    expect((await gql(gateway.url, byId, { id: "1" })).data?.product.price).toBe(price);
    // Past the listener's heartbeat and timeout (1 + 3 s): it is known dead, and reads still hit.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect((await gql(onRedis.url, byId, { id: "1" })).data?.product.price).toBe(price);
    expect((await gql(onRedis.url, byId, { id: "2" })).errors?.[0].extensions?.code).toBe("SERVICE_UNAVAILABLE");
    const uncached = await gql(gateway.url, byId, { id: "2" });
    expect(uncached.errors?.[0].extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(uncached.errors?.[0].message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|prisma/i);
    // The tree, never read: a tree-only query (src/plugins/tree-answers.ts) leaves the failure to execution, which names it.
    const tree = await gql(onRedis.url, `{ categoryTree(maxDepth: 0) { id name } }`);
    expect(tree.errors?.[0].extensions?.code).toBe("SERVICE_UNAVAILABLE");
    const write = await gql(
      gateway.url,
      `mutation { updateProduct(id: "1", input: { price: 4321 }) { price } }`,
      {},
      await bearer(gateway, "editor"),
    );
    expect(write.errors?.[0].extensions?.code).toBe("SERVICE_UNAVAILABLE");
    const ready = await getJson(new URL("/ready", gateway.url).toString());
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/database does not answer/);

    pg.start();
    await until(async () => ((await fetch(new URL("/ready", gateway.url))).status === 200 ? true : null));
    expect((await gql(gateway.url, byId, { id: "2" })).data?.product.id).toBe("2");
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
      const row = await client.query(`SELECT price::float8 AS price FROM products WHERE id = 1`);
      expect(row.rows[0].price).toBe(price); // the refused write changed nothing
    } finally {
      await client.end();
    }
  });
});
