import { Redis } from "ioredis";
import type { Gateway } from "../../src/server";
import { gql } from "../helpers/gateway";
import { ownRedis, sleep, until, type OwnRedis } from "../helpers/redis-server";
import { useGateway } from "../helpers/use-gateway";

// A Redis of the test's own that is down at start, comes up, dies in the middle of a run of
// queries and comes back: no request fails, and the cache fills again afterwards.
describe("a gateway whose Redis goes away", () => {
  let redis: OwnRedis;
  let gateway: Gateway;
  let ids: number[];

  // The redis-server is the test's own (down at start, killed later); it outlives the gateway.
  beforeAll(async () => {
    redis = await ownRedis();
  });
  const fixture = useGateway({ label: "outage", catalog: { products: 200, categories: 20 }, env: () => ({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: "100" }) });
  beforeAll(async () => {
    ({ gateway } = fixture);
    ids = (await fixture.db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id`)).map((row) => row.id);
  });
  afterAll(() => redis?.dispose());

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
    expect(await until(async () => (await gql(gateway.url, query, { id: String(ids[0]) }), (await countKeys()) > 0), 60_000)).toBe(true);

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
    }, 60_000);
    expect(refilled).toBe(true);
    await sleep(10);
  });
});
