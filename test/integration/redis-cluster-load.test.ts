import { isResilientStore, type ResilientStore } from "../../src/cache/resilient-store";
import { clusterUnavailableReason, ownRedisCluster, type OwnRedisCluster } from "../../scripts/consistency/redis-cluster";
import { bearer, gql, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

/**
 * The gateway's store on a 3-master Redis Cluster under concurrent load: 32 HTTP requests in flight
 * at once, a few thousand in all, hits and misses over keys on every master (products by id and
 * SKU, categories with children, listings, whole responses), and a price write now and then. The
 * store must answer every command: no failed call, the circuit never opened.
 *
 * Why: ioredis auto-pipelining (`enableAutoPipelining`) on the cluster connection groups the
 * commands of one tick by the slot of their first argument, which for a script (EVALSHA) is its
 * number of keys, not a key; once two concurrent commands for different masters share such a
 * pipeline, ioredis refuses the whole pipeline, and under load every call failed and the circuit
 * opened (every read fell to PostgreSQL). A request or two at a time never shows it. With
 * `autoPipelining: true` in src/cache/create-store.ts this test fails.
 *
 * Counts only, never speeds: the timeouts are generous so that a loaded machine cannot fail it.
 */
jest.setTimeout(180_000);

const skip = clusterUnavailableReason();
if (skip) console.log(`Redis Cluster load test skipped: ${skip}`);
const describeCluster = skip ? describe.skip : describe;

const concurrency = 32;
const requestCount = 3000;
const writeEvery = 150;

describeCluster("the gateway on a 3-master Redis Cluster under 32 concurrent requests", () => {
  let cluster: OwnRedisCluster;
  beforeAll(async () => {
    cluster = await ownRedisCluster({ masters: 3 });
  });
  const fixture = useGateway({
    label: "cluster-load",
    catalog: { products: 400, categories: 40 },
    env: () => ({
      CACHE_STORE: "redis",
      REDIS_CLUSTER_NODES: cluster.nodesText,
      CACHE_PREFIX: `cgtest:cluster-load:${Date.now()}:`,
      // Seconds, not milliseconds: a slow answer on a loaded machine must not count as a failure here.
      REDIS_COMMAND_TIMEOUT_MS: "5000",
      CACHE_CALL_TIMEOUT_MS: "10000",
    }),
  });
  afterAll(() => cluster?.dispose());

  it("answers every request from a store that never fails a call and never opens its circuit", async () => {
    const { gateway, db } = fixture;
    const store = gateway.cache.store;
    if (!store || !isResilientStore(store)) throw new Error("expected the resilient Redis store");
    const products = await db.sql.query<{ id: number; sku: string; price: string }>(`SELECT id, sku, price FROM products ORDER BY id`);
    const parents = await db.sql.query<{ id: number }>(`SELECT id FROM categories c WHERE EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id) ORDER BY id`);
    const listed = await db.sql.query<{ id: number }>(`SELECT id FROM categories ORDER BY id LIMIT 12`);
    const editor = await bearer(gateway, "editor");
    // Each kind rotates over its own keys, so hits repeat what an earlier request filled and misses keep coming.
    const kinds: ((i: number) => Promise<unknown>)[] = [
      (i) => ask(`query($id: ID!) { product(id: $id) { id name price category { name parent { name } } } }`, { id: String(products[i % products.length].id) }),
      (i) => ask(`query($sku: String!) { productBySku(sku: $sku) { id sku name brand price stock } }`, { sku: products[(i * 7) % 60].sku }),
      (i) => ask(`query($id: ID!) { category(id: $id) { id name slug children { id name productCount } } }`, { id: String(parents[i % parents.length].id) }),
      (i) => ask(`query($id: ID!, $first: Int) { products(categoryId: $id, first: $first) { totalCount edges { node { id name category { name } } } } }`, { id: String(listed[i % listed.length].id), first: 10 + (i % 3) * 10 }),
      () => ask(`{ categoryTree(maxDepth: 2) { id name children { id name } } }`, {}),
    ];
    const write = async (i: number) => {
      const product = products[(i * 7) % 60];
      const data = await gqlData(gateway.url, `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`, { id: String(product.id), input: { price: Number(product.price) + (i % 2) } }, editor);
      expect(data.updateProduct.id).toBe(String(product.id));
    };
    const failures: string[] = [];
    async function ask(query: string, variables: Record<string, unknown>) {
      const response = await gql(gateway.url, query, variables);
      if (response.errors?.length || !response.data) failures.push(JSON.stringify(response.errors ?? response));
    }

    const before = await stats(gateway.url);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < requestCount; i = next++) await (i % writeEvery === writeEvery - 1 ? write(i) : kinds[i % kinds.length](i));
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const after = await stats(gateway.url);

    expect(failures).toEqual([]);
    expect(failureCounts(store)).toEqual({ failures: 0, timeouts: 0, rejected: 0, openings: 0, state: "closed" });
    expect(after.circuit).toBe("closed");
    expect(after.errors - before.errors).toBe(0);
    // The load reached the cluster and was mostly answered by it (else the test would prove nothing).
    expect(after.storeRoundTrips - before.storeRoundTrips).toBeGreaterThan(requestCount);
    expect(after.hits - before.hits).toBeGreaterThan(requestCount);
    expect(after.sqlStatements - before.sqlStatements).toBeLessThan(requestCount / 2);
  });
});

function failureCounts(store: ResilientStore) {
  return { ...store.counters, state: store.state };
}

// cacheStats of the gateway: circuit state, errors and hits summed over the families, round trips, SQL.
async function stats(url: string) {
  const { cacheStats } = await gqlData<{
    cacheStats: { circuit: string | null; sqlStatements: number; storeRoundTrips: number; families: { hits: number; errors: number }[] };
  }>(url, `{ cacheStats { circuit sqlStatements storeRoundTrips families { hits errors } } }`);
  const sum = (field: "hits" | "errors") => cacheStats.families.reduce((total, family) => total + family[field], 0);
  return { circuit: cacheStats.circuit, sqlStatements: cacheStats.sqlStatements, storeRoundTrips: cacheStats.storeRoundTrips, hits: sum("hits"), errors: sum("errors") };
}
