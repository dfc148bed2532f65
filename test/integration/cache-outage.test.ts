import { Redis } from "ioredis";
import type { Gateway } from "../../src/server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { gql, startTestGateway } from "../helpers/gateway";
import { ownRedis, sleep, until, type OwnRedis } from "../helpers/redis-server";
import { seedGeneratedCatalog } from "../helpers/shared-data";

// A Redis of the test's own that is down at start, comes up, dies in the middle of a run of
// queries and comes back: no request fails, and the cache fills again afterwards.
describe("a gateway whose Redis goes away", () => {
  let db: TestDatabase;
  let redis: OwnRedis;
  let gateway: Gateway;
  let ids: number[];

  beforeAll(async () => {
    db = await createTestDatabase("outage");
    await seedGeneratedCatalog(db, { products: 200, categories: 20 });
    ids = (await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id`)).map((row) => row.id);
    redis = await ownRedis();
    gateway = await startTestGateway(db, { env: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: "100" } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await redis?.dispose();
    await db?.drop();
  });

  const query = `query($id: ID!) { product(id: $id) { id name category { name parent { name } } } }`;
  const ask = async (i: number) => {
    const response = await gql(gateway.url, query, { id: String(ids[i % ids.length]) });
    expect(response.errors).toBeUndefined();
    expect(response.data?.product).not.toBeNull();
  };
  const countKeys = async () => {
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await client.connect();
      return await client.dbsize();
    } catch {
      return -1;
    } finally {
      client.disconnect();
    }
  };

  it("starts and answers while Redis is down, and reports it in readiness", async () => {
    await ask(0);
    const ready = await (await fetch(new URL("/ready", gateway.url))).json();
    expect(ready).toMatchObject({ status: "ready", database: true, cache: false });
  });

  it("fills the cache once Redis is up, survives its death mid-run, and fills again after", async () => {
    await redis.start();
    expect(await until(async () => (await gql(gateway.url, query, { id: String(ids[0]) }), (await countKeys()) > 0), 10_000)).toBe(true);

    let i = 0;
    const run = async (count: number) => {
      for (let n = 0; n < count; n += 1) await Promise.all([ask(i++), ask(i++), ask(i++)]);
    };
    await run(20);
    const killed = redis.kill();
    await run(40); // Redis dies while these run: each must still answer from the database
    await killed;
    await run(20);

    await redis.start();
    const refilled = await until(async () => {
      await run(2);
      return (await countKeys()) > 0;
    }, 15_000);
    expect(refilled).toBe(true);
    await sleep(10);
  });
});
