import { Registry } from "prom-client";
import { jsonCodec } from "../../src/cache/codec";
import { createFillLimit } from "../../src/cache/fill-limit";
import { createKeys } from "../../src/cache/keys";
import { createMemoryStore } from "../../src/cache/memory-store";
import {
  createCacheTrace,
  createReadThrough,
  defaultReadThroughOptions,
  type CacheRuntime,
  type FamilySpec,
  type ReadThroughOptions,
} from "../../src/cache/read-through";
import { createCacheStats } from "../../src/cache/stats";
import type { CacheStore } from "../../src/cache/store";

/**
 * The read path over the real in-process store, wrapped in a spy that records each store call
 * (method and keys), and a `load` that records each batch it is asked for.
 */

interface StoreCall {
  method: string;
  keys: string[];
  extraKeys?: string[];
}

// Forwards every call to `store` and records it.
function recording(store: CacheStore): { store: CacheStore; calls: StoreCall[] } {
  const calls: StoreCall[] = [];
  const spy: CacheStore = {
    name: store.name,
    get roundTrips() {
      return store.roundTrips;
    },
    mget: (keys) => (calls.push({ method: "mget", keys }), store.mget(keys)),
    mgetInOrder: (groups) => (calls.push({ method: "mgetInOrder", keys: groups.flat() }), store.mgetInOrder(groups)),
    getOrLease: (keys, leaseTtlMs, extraKeys) => (
      calls.push({ method: "getOrLease", keys, extraKeys }), store.getOrLease(keys, leaseTtlMs, extraKeys)
    ),
    lease: (keys, leaseTtlMs) => (calls.push({ method: "lease", keys }), store.lease(keys, leaseTtlMs)),
    setLeased: (entries) => (calls.push({ method: "setLeased", keys: entries.map((e) => e.key) }), store.setLeased(entries)),
    set: (entries) => (calls.push({ method: "set", keys: entries.map((e) => e.key) }), store.set(entries)),
    del: (keys) => (calls.push({ method: "del", keys }), store.del(keys)),
    incr: (keys) => (calls.push({ method: "incr", keys }), store.incr(keys)),
    raise: (keys, value) => store.raise(keys, value),
    setVersioned: (entry) => store.setVersioned(entry),
    getVersioned: (key) => store.getVersioned(key),
    invalidate: (del, incr) => (calls.push({ method: "del", keys: del }, { method: "incr", keys: incr }), store.invalidate(del, incr)),
    ttl: (key) => store.ttl(key),
    info: () => store.info(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
  return { store: spy, calls };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const keys = createKeys("t:");

function setup(options: Partial<ReadThroughOptions> = {}) {
  const memory = createMemoryStore();
  const { store, calls } = recording(memory);
  const runtime: CacheRuntime = {
    store,
    keys,
    fills: createFillLimit(),
    stats: createCacheStats(new Registry()),
    options: { ...defaultReadThroughOptions, ...options },
    inflight: new Map(),
  };
  const methods = () => calls.map(({ method }) => method);
  return { memory, runtime, calls, methods, stats: () => runtime.stats.snapshot() };
}

interface Row {
  id: number;
  version: string;
}

// An entity family over an in-memory "database": ids below 100 exist. `gate` holds a load mid-read.
function productSpec(database = { version: "v1" }, gate?: { started: () => void; release: Promise<void> }) {
  const batches: number[][] = [];
  const spec: FamilySpec<number, Row> = {
    family: "prod",
    key: (id) => keys.productKey(id),
    ttlSeconds: 60,
    codec: jsonCodec<Row>(),
    load: async (ids) => {
      batches.push([...ids]);
      const version = database.version;
      gate?.started();
      await gate?.release;
      return ids.map((id) => (id < 100 ? { id, version } : null));
    },
  };
  return { spec, batches };
}

describe("createReadThrough", () => {
  it("reads a batch in one getOrLease, loads the misses in one load, writes them back in one setLeased", async () => {
    const { runtime, calls, methods } = setup();
    const { spec, batches } = productSpec();
    const trace = createCacheTrace();
    expect(await createReadThrough(runtime, trace).load(spec, [3, 1, 2])).toEqual([3, 1, 2].map((id) => ({ id, version: "v1" })));
    expect(methods()).toEqual(["getOrLease", "setLeased"]);
    expect(calls[0]).toEqual({ method: "getOrLease", keys: ["t:{prod:3}", "t:{prod:1}", "t:{prod:2}"], extraKeys: ["t:{gen:prod}"] });
    expect(batches).toEqual([[3, 1, 2]]);
    expect(trace.families.prod).toEqual({ hits: 0, misses: 3, roundTrips: 2 });
    // Loaded, and stored by its guarded fill: observed as the store now holds it, as a hit would be.
    expect(trace.complete).toBe(true);
    const filled = ["t:{prod:3}", "t:{prod:1}", "t:{prod:2}"];
    expect(filled.map((key) => trace.observed.get(key))).toEqual(await runtime.store!.mget(filled));

    calls.length = 0;
    const warm = createCacheTrace();
    expect(await createReadThrough(runtime, warm).load(spec, [1, 2])).toEqual([1, 2].map((id) => ({ id, version: "v1" })));
    expect(methods()).toEqual(["getOrLease"]);
    expect(batches).toHaveLength(1);
    expect(warm.families.prod).toEqual({ hits: 2, misses: 0, roundTrips: 1 });
    expect(warm.complete).toBe(true);
    expect([...warm.observed.keys()]).toEqual(["t:{gen:prod}", "t:{prod:1}", "t:{prod:2}"]);
  });

  it("loads only the misses, in one load, in key order", async () => {
    const { runtime } = setup();
    const { spec, batches } = productSpec();
    await createReadThrough(runtime).load(spec, [2, 4]);
    expect(await createReadThrough(runtime).load(spec, [5, 4, 3, 2, 1])).toEqual([5, 4, 3, 2, 1].map((id) => ({ id, version: "v1" })));
    expect(batches).toEqual([[2, 4], [5, 3, 1]]);
  });

  it("answers a key listed twice in a batch from one read and one load", async () => {
    const { runtime, calls, methods, stats } = setup();
    const { spec, batches } = productSpec();
    expect(await createReadThrough(runtime).load(spec, [7, 8, 7])).toEqual([7, 8, 7].map((id) => ({ id, version: "v1" })));
    expect(methods()).toEqual(["getOrLease", "setLeased"]);
    expect(calls[0].keys).toEqual(["t:{prod:7}", "t:{prod:8}"]);
    expect(batches).toEqual([[7, 8]]);
    // The second 7 joins the first one's fill, verified by its accepted lease.
    expect(stats().prod.coalesced).toBe(1);
  });

  it("refuses a fill whose lease an invalidation deleted, and counts it rejectedWrite", async () => {
    const { memory, runtime, methods, stats } = setup();
    const database = { version: "old" };
    const started = deferred();
    const release = deferred();
    const { spec, batches } = productSpec(database, { started: started.resolve, release: release.promise });
    const trace = createCacheTrace();
    const reading = createReadThrough(runtime, trace).load(spec, [1]);
    await started.promise; // the reader holds the old row
    database.version = "new"; // a writer commits...
    await memory.del([keys.productKey(1)]); // ...and invalidates
    release.resolve();
    expect(await reading).toEqual([{ id: 1, version: "old" }]); // it began before the write
    expect(methods()).toEqual(["getOrLease", "setLeased"]);
    expect(stats().prod.rejectedWrite).toBe(1);
    expect(await memory.mget([keys.productKey(1)])).toEqual([null]);
    expect(trace.complete).toBe(false); // nothing stored to validate an answer against

    const next = productSpec(database);
    expect(await createReadThrough(runtime).load(next.spec, [1])).toEqual([{ id: 1, version: "new" }]);
    expect(batches).toHaveLength(1);
    expect(next.batches).toEqual([[1]]);
  });

  it("loads a key once when two requests of the process read it at the same time", async () => {
    const { runtime, methods, stats } = setup();
    const started = deferred();
    const release = deferred();
    const { spec, batches } = productSpec(undefined, { started: started.resolve, release: release.promise });
    const first = createReadThrough(runtime).load(spec, [1]);
    await started.promise;
    const secondTrace = createCacheTrace();
    const second = createReadThrough(runtime, secondTrace).load(spec, [1]);
    release.resolve();
    expect(await Promise.all([first, second])).toEqual([[{ id: 1, version: "v1" }], [{ id: 1, version: "v1" }]]);
    expect(batches).toEqual([[1]]);
    expect(methods()).toEqual(["getOrLease", "setLeased"]);
    expect(stats().prod.coalesced).toBe(1);
    expect(secondTrace.complete).toBe(false); // the first request observed the value, not the second
    expect(runtime.inflight.size).toBe(0);
  });

  it("hands each joiner of a batch's fill the value of its own key", async () => {
    const { runtime, stats } = setup();
    const started = deferred();
    const release = deferred();
    const { spec, batches } = productSpec(undefined, { started: started.resolve, release: release.promise });
    const first = createReadThrough(runtime).load(spec, [1, 2, 3]);
    await started.promise;
    const second = createReadThrough(runtime).load(spec, [3, 4, 1]);
    release.resolve();
    const [firstValues, secondValues] = await Promise.all([first, second]);
    expect(firstValues.map((row) => row?.id)).toEqual([1, 2, 3]);
    expect(secondValues.map((row) => row?.id)).toEqual([3, 4, 1]);
    expect(batches).toEqual([[1, 2, 3], [4]]);
    expect(stats().prod.coalesced).toBe(2);
    expect(runtime.inflight.size).toBe(0);
  });

  it("reloads a generation-stamped family once an INCR retired its entries, and writes it without a lease", async () => {
    const { memory, runtime, calls, methods, stats } = setup();
    const listGeneration = keys.generationKey("prods:cat", 7);
    const batches: number[][] = [];
    let version = 1;
    const spec: FamilySpec<number, number[]> = {
      family: "prods:cat",
      key: (id) => keys.productListKey(id, "page"),
      ttlSeconds: 60,
      codec: jsonCodec<number[]>(),
      dependsOn: () => [listGeneration],
      load: async (ids) => (batches.push([...ids]), ids.map(() => [version])),
    };
    expect(await createReadThrough(runtime).load(spec, [7])).toEqual([[1]]);
    expect(calls[0].extraKeys).toEqual(["t:{gen:prods:cat}", listGeneration]);
    expect(await createReadThrough(runtime).load(spec, [7])).toEqual([[1]]);
    expect(batches).toEqual([[7]]);

    version = 2;
    await memory.incr([listGeneration]);
    calls.length = 0;
    expect(await createReadThrough(runtime).load(spec, [7])).toEqual([[2]]);
    expect(batches).toEqual([[7], [7]]);
    // The stale entry is refilled under its stamp, with no lease and no DEL.
    expect(methods()).toEqual(["getOrLease", "set"]);
    expect(stats()["prods:cat"]).toMatchObject({ hit: 1, miss: 2, stale: 1 });
    expect(await createReadThrough(runtime).load(spec, [7])).toEqual([[2]]);
    expect(batches).toHaveLength(2);
  });

  it("deletes a stale entity entry and reads it again for a lease", async () => {
    const { memory, runtime, methods, stats } = setup();
    const { spec, batches } = productSpec();
    await memory.set([{ key: keys.productKey(1), value: "not an entry", ttlSeconds: 60 }]);
    expect(await createReadThrough(runtime).load(spec, [1])).toEqual([{ id: 1, version: "v1" }]);
    expect(methods()).toEqual(["getOrLease", "del", "getOrLease", "setLeased"]);
    expect(batches).toEqual([[1]]);
    expect(stats().prod.stale).toBe(1);
  });

  it("loads a key another reader holds the lease of without filling it, once leaseWaitMs is spent", async () => {
    const { memory, runtime, methods, stats } = setup({ leaseWaitMs: 0 });
    const { spec, batches } = productSpec();
    await memory.getOrLease([keys.productKey(1)], 5000); // another reader's lease
    expect(await createReadThrough(runtime).load(spec, [1, 2])).toEqual([1, 2].map((id) => ({ id, version: "v1" })));
    expect(batches).toEqual([[2, 1]]);
    expect(methods()).toEqual(["getOrLease", "setLeased"]);
    expect(stats().prod.leaseWait).toBe(1);
    expect(await memory.mget([keys.productKey(1)])).toEqual([null]);
  });

  it("caches a miss for negativeTtlSeconds, and does not cache it without", async () => {
    const { memory, runtime } = setup();
    const { spec, batches } = productSpec();
    const negative = { ...spec, negativeTtlSeconds: 30 };
    expect(await createReadThrough(runtime).load(negative, [404])).toEqual([null]);
    expect(await createReadThrough(runtime).load(negative, [404])).toEqual([null]);
    expect(batches).toEqual([[404]]);
    const ttl = await memory.ttl(keys.productKey(404));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);

    const uncached = createCacheTrace();
    await createReadThrough(runtime, uncached).load(spec, [405]);
    expect(uncached.complete).toBe(false);
    await createReadThrough(runtime).load(spec, [405]);
    expect(batches).toEqual([[404], [405], [405]]);
    expect(await memory.mget([keys.productKey(405)])).toEqual([null]);
  });

  it("without a store, loads every key and marks the trace incomplete", async () => {
    const { runtime } = setup();
    const { spec, batches } = productSpec();
    const trace = createCacheTrace();
    expect(await createReadThrough({ ...runtime, store: null }, trace).load(spec, [1, 2])).toHaveLength(2);
    expect(batches).toEqual([[1, 2]]);
    expect(trace).toMatchObject({ roundTrips: 0, complete: false, families: { prod: { hits: 0, misses: 2, roundTrips: 0 } } });
  });

  it("answers from the database and fills nothing when the store fails", async () => {
    const { runtime, stats } = setup();
    const failing: CacheStore = { ...runtime.store!, getOrLease: () => Promise.reject(new Error("down")) };
    const { spec, batches } = productSpec();
    const trace = createCacheTrace();
    expect(await createReadThrough({ ...runtime, store: failing }, trace).load(spec, [1])).toEqual([{ id: 1, version: "v1" }]);
    expect(batches).toEqual([[1]]);
    expect(trace.complete).toBe(false);
    expect(stats().prod).toMatchObject({ error: 1, miss: 1 });
  });
});

describe("a failed fill joined by another request", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => process.on("unhandledRejection", onUnhandled));
  afterAll(() => process.off("unhandledRejection", onUnhandled));

  it("fails the joiner with the leader's error, never as an unhandled rejection while the joiner fills its own keys", async () => {
    const { runtime } = setup();
    const release = deferred();
    const spec: FamilySpec<number, number> = {
      family: "prod",
      key: (id) => keys.productKey(id),
      ttlSeconds: 60,
      codec: jsonCodec<number>(),
      load: async (ids) => {
        if (ids.includes(1)) throw new Error("database down");
        await release.promise;
        return [...ids];
      },
    };
    const leader = createReadThrough(runtime).load(spec, [1]);
    const joiner = createReadThrough(runtime).load(spec, [1, 2]); // joins 1, leads 2
    await expect(leader).rejects.toThrow("database down");
    await new Promise((resolve) => setImmediate(resolve)); // let Node report unhandled rejections
    release.resolve();
    await expect(joiner).rejects.toThrow("database down");
    expect(unhandled).toEqual([]);
    expect(runtime.inflight.size).toBe(0);
  });
});
