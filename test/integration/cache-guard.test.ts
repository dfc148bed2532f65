import { Redis } from "ioredis";
import { createFillLimit } from "../../src/cache/fill-limit";
import { applyFootprint } from "../../src/cache/invalidation";
import { createKeys } from "../../src/cache/keys";
import { jsonCodec } from "../../src/cache/codec";
import { createReadThrough, defaultReadThroughOptions, type CacheRuntime, type FamilySpec } from "../../src/cache/read-through";
import { createRedisStore } from "../../src/cache/redis-store";
import { createCacheStats } from "../../src/cache/stats";
import { Registry } from "prom-client";
import { testPrefix, testRedisUrl, deleteTestKeys } from "../helpers/redis-server";

/**
 * The cache-aside race of DESIGN.md promise 2, played step by step on the real Redis: a reader
 * misses and reads the old row; a writer commits and invalidates; the reader then tries to store
 * the old row. With the guard the store refuses it; with the guard off the stale row is stored,
 * which is what shows this test can fail.
 */

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface Row {
  version: string;
}

describe("guarded fills", () => {
  const clients: Redis[] = [];
  const prefix = testPrefix("guard");
  const keys = createKeys(prefix);

  afterAll(async () => {
    await deleteTestKeys(prefix);
    for (const client of clients) client.disconnect();
  });

  function runtime(guardWrites: boolean): CacheRuntime {
    const client = new Redis(testRedisUrl);
    clients.push(client);
    return {
      store: createRedisStore(client, { guardWrites }),
      keys,
      fills: createFillLimit(),
      stats: createCacheStats(new Registry()),
      options: defaultReadThroughOptions,
      inflight: new Map(),
    };
  }

  // A loader that returns whatever the "database" held when it read, and can be held mid-read.
  function slowSpec(id: number, database: { version: string }, gate: { started: () => void; release: Promise<void> }, dependsOn?: string[]): FamilySpec<number, Row> {
    return {
      family: dependsOn ? "prods:cat" : "prod",
      key: (key) => (dependsOn ? keys.productListKey(key, "page") : keys.productKey(key)),
      ttlSeconds: 60,
      codec: jsonCodec<Row>(),
      dependsOn: dependsOn && (() => dependsOn),
      load: async (ids) => {
        const read = { ...database };
        gate.started();
        await gate.release;
        return ids.map(() => read);
      },
    };
  }

  async function race(guardWrites: boolean, id: number) {
    const cache = runtime(guardWrites);
    const database = { version: "old" };
    const started = deferred();
    const release = deferred();
    const spec = slowSpec(id, database, { started: started.resolve, release: release.promise });
    const reading = createReadThrough(cache).load(spec, [id]);
    await started.promise; // the reader holds the old row
    database.version = "new"; // the writer commits...
    await applyFootprint(cache.store!, keys, { products: [id] }); // ...and invalidates
    release.resolve(); // the reader now tries to fill with the old row
    expect(await reading).toEqual([{ version: "old" }]); // it began before the write: old is fine to return
    const [stored] = await cache.store!.mget([keys.productKey(id)]);
    return { stored, rejected: cache.stats.snapshot().prod?.rejectedWrite ?? 0 };
  }

  it("refuses the fill of a reader that read before an invalidation", async () => {
    const { stored, rejected } = await race(true, 101);
    expect(stored).toBeNull();
    expect(rejected).toBe(1);
  });

  it("stores the stale row when the guard is switched off (the test can fail)", async () => {
    const { stored, rejected } = await race(false, 102);
    expect(stored).toContain('"old"');
    expect(rejected).toBe(0);
  });

  it("retires a list entry filled before its generation moved", async () => {
    const cache = runtime(true);
    const generation = keys.generationKey("prods:cat", 7);
    const database = { version: "old" };
    const started = deferred();
    const release = deferred();
    const spec = slowSpec(7, database, { started: started.resolve, release: release.promise }, [generation]);
    const reading = createReadThrough(cache).load(spec, [7]);
    await started.promise;
    database.version = "new";
    await applyFootprint(cache.store!, keys, { listingsOf: [7] });
    release.resolve();
    expect(await reading).toEqual([{ version: "old" }]);
    // The entry was written, but stamped with the generation before the INCR: the next read
    // sees it as stale and loads the new row.
    const fresh = { ...spec, load: async (ids: readonly number[]) => ids.map(() => ({ ...database })) };
    expect(await createReadThrough(cache).load(fresh, [7])).toEqual([{ version: "new" }]);
    expect(cache.stats.snapshot()["prods:cat"].stale).toBe(1);
  });

  it("costs one database load for concurrent misses across two processes (the lease)", async () => {
    // Driven by events, not by time: the load holds its lease until the other process has been
    // told "busy", and that one waits as long as it takes (a loaded machine may take a while).
    const patient = { ...defaultReadThroughOptions, leaseWaitMs: 60_000 };
    const a = { ...runtime(true), options: patient };
    const b = { ...runtime(true), options: patient, inflight: new Map() };
    const waits = () => (a.stats.snapshot().prod?.leaseWait ?? 0) + (b.stats.snapshot().prod?.leaseWait ?? 0);
    let loads = 0;
    const spec: FamilySpec<number, Row> = {
      family: "prod",
      key: (id) => keys.productKey(id),
      ttlSeconds: 60,
      codec: jsonCodec<Row>(),
      load: async (ids) => {
        loads += 1;
        while (waits() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        return ids.map(() => ({ version: "v" }));
      },
    };
    const results = await Promise.all([createReadThrough(a).load(spec, [201]), createReadThrough(b).load(spec, [201])]);
    expect(results).toEqual([[{ version: "v" }], [{ version: "v" }]]);
    expect(loads).toBe(1);
    expect(waits()).toBeGreaterThan(0);
  });
});
