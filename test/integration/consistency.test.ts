import { Redis } from "ioredis";
import { Client } from "pg";
import { Registry } from "prom-client";
import { jsonCodec } from "../../src/cache/codec";
import { createFillLimit } from "../../src/cache/fill-limit";
import { applyFootprint } from "../../src/cache/invalidation";
import { createKeys } from "../../src/cache/keys";
import { createReadThrough, defaultReadThroughOptions, type CacheRuntime, type FamilySpec } from "../../src/cache/read-through";
import { createRedisStore } from "../../src/cache/redis-store";
import { createCacheStats } from "../../src/cache/stats";
import { post, postData } from "../../scripts/consistency/client";
import { createEnvironment } from "../../scripts/consistency/environment";
import { itJudgesConsistency } from "../helpers/consistency-runs";
import { testServerUrl } from "../helpers/database";
import { deleteTestKeys, testPrefix, testRedisUrl, until } from "../helpers/redis-server";

/**
 * The consistency checker (scripts/consistency) against the machine's PostgreSQL and Redis: two
 * gateways, concurrent writers and readers, every read judged after the run. It must find no
 * stale read when the cache is whole, and must find them when the guard or the invalidation is
 * switched off (otherwise a pass would prove nothing). Outcomes and the mix of operations are
 * asserted, never timings or throughput: the run stops once it has done enough operations, or at its
 * time cap on a slow machine.
 */
describe("consistency checker: two gateways on one PostgreSQL and one Redis", () => {
  itJudgesConsistency({
    shared: { postgresUrl: testServerUrl, redisUrl: testRedisUrl, fillDelayMs: 30 },
    clean: {
      title: "finds no stale read in a run of reads and writes, and the guard did reject fills",
      options: { targetReads: 2000, targetWrites: 200, durationMs: 45_000 },
      timeoutMs: 150_000, // the run's 45 s cap plus set-up and judging, with room for a loaded machine
      // Fills that read the database before a write and were refused: the race happened, and was closed.
      expectMore: (report) => expect(report.rejectedWrites).toBeGreaterThan(0),
    },
    faults: [
      {
        title: "finds stale reads when the guard is switched off",
        options: { guard: false, targetReads: 1000, targetWrites: 100, durationMs: 30_000 },
        timeoutMs: 300_000,
        expectMore: (report) => expect(report.rejectedWrites).toBe(0),
      },
      {
        title: "finds stale reads when the invalidation is switched off",
        options: { invalidation: false, targetReads: 500, targetWrites: 50, durationMs: 30_000 },
        timeoutMs: 300_000,
      },
    ],
  });
});

/**
 * A race the shelf view of the checker is there for, played step by step: a product write reads
 * its categories' paths (for the listings its footprint invalidates), and before it commits, its
 * new category moves to another shelf. The product write must not commit with the old paths, or
 * the new shelf's listing, refilled between the two commits, keeps missing the product. A lock on
 * attribute_definitions holds the product write just after it has read the paths.
 */
describe("a product move racing a move of its new category", () => {
  const createCategory = `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`;
  const createProduct = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`;
  const updateProduct = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`;
  const updateCategory = `mutation($id: ID!, $input: UpdateCategoryInput!) { updateCategory(id: $id, input: $input) { id } }`;
  const shelfListing = `query($id: ID!) { category(id: $id) { products(first: 100) { edges { node { id } } } productCount } }`;

  it("leaves the listing of the shelf the product lands under fresh", async () => {
    const env = await createEnvironment({ postgresUrl: testServerUrl, redisUrl: testRedisUrl, guard: true, invalidation: true, fillDelayMs: 0, poolSize: 5 });
    const pause = new Client({ connectionString: env.databaseUrl });
    let paused = false;
    try {
      const [a, b] = env.gateways.map((gateway) => gateway.url);
      const write = async (url: string, query: string, variables: Record<string, unknown>) => postData<any>(url, query, variables, env.editorHeaders);
      const category = async (name: string, parentId?: string) => (await write(a, createCategory, { input: { name, parentId } })).createCategory.id as string;
      const [from, to, under] = [await category("Shelf A"), await category("Shelf B"), await category("Shelf C")];
      const [oldCategory, newCategory] = [await category("Old", from), await category("New", to)];
      const product = (await write(a, createProduct, { input: { sku: "RACE-1", name: "Racer", brand: "B", price: 1, categoryId: oldCategory } })).createProduct.id;

      await pause.connect();
      paused = true;
      await pause.query("BEGIN");
      await pause.query("LOCK TABLE attribute_definitions IN ACCESS EXCLUSIVE MODE");
      const waitingFor = async (kind: "relation" | "advisory") =>
        (await pause.query(`SELECT 1 FROM pg_locks WHERE NOT granted AND locktype = $1`, [kind])).rowCount! > 0;
      const productMove = post(a, updateProduct, { id: product, input: { categoryId: newCategory } }, env.editorHeaders);
      expect(await until(() => waitingFor("relation"), 10_000)).toBe(true);
      let categoryMoved = false;
      const categoryMove = post(b, updateCategory, { id: newCategory, input: { parentId: under } }, env.editorHeaders).then((response) => {
        categoryMoved = true;
        return response;
      });
      // The category move either commits now (the product write then has stale paths) or waits for the product write.
      expect(await until(async () => categoryMoved || (await waitingFor("advisory")), 10_000)).toBe(true);
      await postData(b, shelfListing, { id: under }); // fills the listing as it stands between the two writes
      await pause.query("COMMIT");
      for (const response of await Promise.all([productMove, categoryMove])) expect(response.errors).toBeUndefined();

      for (const url of [a, b]) {
        const { category: shelf } = await postData<any>(url, shelfListing, { id: under });
        expect({ ids: shelf.products.edges.map((edge: any) => edge.node.id), count: shelf.productCount }).toEqual({ ids: [product], count: 1 });
      }
    } finally {
      if (paused) await pause.end(); // also rolls the lock back if the test failed holding it
      await env.close();
    }
  }, 300_000);
});

/**
 * Reads that span a move: a request loads a category's row, the category moves, and only then does
 * the request load what depends on the row's path. What it computes from the old path must not be
 * cached for later readers: the subtree listing (once queried with the old path, found nothing,
 * and was cached under a generation the move does not bump), and the inherited attributes
 * (stamped with the old ancestors' generation values, which equalled the new ones'). The checker
 * found both; a long fill delay holds the request between the row and the rest.
 */
describe("reads across a move of their category", () => {
  const createCategory = `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`;
  const createProduct = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`;
  const updateCategory = `mutation($id: ID!, $input: UpdateCategoryInput!) { updateCategory(id: $id, input: $input) { id } }`;

  // Shelf A (with a `color` attribute) and shelf B; "Moving" under A holds one product. `early`
  // reads the moving category through gateway a, which is held while Moving moves to B.
  async function acrossMove(query: string, check: (category: any, product: string) => void) {
    const env = await createEnvironment({ postgresUrl: testServerUrl, redisUrl: testRedisUrl, guard: true, invalidation: true, fillDelayMs: 600, poolSize: 5 });
    try {
      const [a, b] = env.gateways.map((gateway) => gateway.url);
      const write = async (url: string, mutation: string, variables: Record<string, unknown>) => postData<any>(url, mutation, variables, env.editorHeaders);
      const category = async (input: Record<string, unknown>) => (await write(a, createCategory, { input })).createCategory.id as string;
      const from = await category({ name: "Shelf A", attributes: [{ name: "color", type: "STRING" }] });
      const to = await category({ name: "Shelf B" });
      const moving = await category({ name: "Moving", parentId: from });
      const product = (await write(a, createProduct, { input: { sku: "MOVE-1", name: "Item", brand: "B", price: 1, categoryId: moving } })).createProduct.id;

      const early = postData<any>(a, query, { id: moving }); // reads the row, then waits in its fill
      await new Promise((resolve) => setTimeout(resolve, 150));
      await write(b, updateCategory, { id: moving, input: { parentId: to } });
      await early;
      for (const url of [a, b]) check((await postData<any>(url, query, { id: moving })).category, product);
    } finally {
      await env.close();
    }
  }

  it("does not cache the subtree listing of the old path", async () => {
    const subtree = `query($id: ID!) { category(id: $id) { products(includeDescendants: true, first: 100) { totalCount edges { node { id } } } } }`;
    await acrossMove(subtree, (category, product) => {
      expect(category.products.edges.map((edge: any) => edge.node.id)).toEqual([product]);
      expect(category.products.totalCount).toBe(1);
    });
  }, 300_000);

  it("does not cache the attributes inherited from the old ancestors", async () => {
    const attributes = `query($id: ID!) { category(id: $id) { attributes { name } } }`;
    await acrossMove(attributes, (category) => expect(category.attributes).toEqual([]));
  }, 300_000);
});

/**
 * A race the checker found in single flight, played step by step in one process: request 1 misses a
 * product and reads the old row; a write commits and invalidates; request 2, which begins after
 * the write returned, finds request 1's fill in flight. It may share that fill only if the fill
 * proves itself fresh (its guarded write-back was accepted); here it was refused, so request 2
 * must read again and get the new row.
 */
describe("single flight after a write", () => {
  const prefix = testPrefix("consistency");
  const keys = createKeys(prefix);
  let client: Redis;

  beforeAll(() => {
    client = new Redis(testRedisUrl);
  });
  afterAll(async () => {
    client.disconnect();
    await deleteTestKeys(prefix);
  });

  function deferred() {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  // A product "table" of one row; the first load is held after it has read the row.
  function setup() {
    const runtime: CacheRuntime = {
      store: createRedisStore(client, { ownsClient: false }),
      keys,
      fills: createFillLimit(),
      stats: createCacheStats(new Registry()),
      options: defaultReadThroughOptions,
      inflight: new Map(),
    };
    const database = { version: "old" };
    const started = deferred();
    const release = deferred();
    let loads = 0;
    const spec: FamilySpec<number, { version: string }> = {
      family: "prod",
      key: (id) => keys.productKey(id),
      ttlSeconds: 60,
      codec: jsonCodec<{ version: string }>(),
      load: async (ids) => {
        const read = { ...database };
        loads += 1;
        if (loads === 1) {
          started.resolve();
          await release.promise;
        }
        return ids.map(() => read);
      },
    };
    return { runtime, database, started, release, spec, loads: () => loads };
  }

  it("does not hand a request that began after a write the row another request read before it", async () => {
    const { runtime, database, started, release, spec } = setup();
    const first = createReadThrough(runtime).load(spec, [301]);
    await started.promise;
    database.version = "new";
    await applyFootprint(runtime.store!, keys, { products: [301] });
    const second = createReadThrough(runtime).load(spec, [301]);
    release.resolve();
    expect(await first).toEqual([{ version: "old" }]); // it began before the write
    expect(await second).toEqual([{ version: "new" }]);
  });

  it("still shares a fill no write interrupted: one load for both requests", async () => {
    const { runtime, started, release, spec, loads } = setup();
    const first = createReadThrough(runtime).load(spec, [302]);
    await started.promise;
    const second = createReadThrough(runtime).load(spec, [302]);
    release.resolve();
    expect(await Promise.all([first, second])).toEqual([[{ version: "old" }], [{ version: "old" }]]);
    expect(loads()).toBe(1);
    expect(runtime.stats.snapshot().prod.coalesced).toBe(1);
  });
});
