import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { jsonCodec } from "../../src/cache/codec";
import { decodeEntry } from "../../src/cache/entry-codec";
import { createFillLimit } from "../../src/cache/fill-limit";
import { createKeys } from "../../src/cache/keys";
import { createCacheTrace, createReadThrough, defaultReadThroughOptions, type CacheRuntime, type FamilySpec } from "../../src/cache/read-through";
import { createRedisStore } from "../../src/cache/redis-store";
import { createCacheStats } from "../../src/cache/stats";
import type { CacheStore } from "../../src/cache/store";
import { deleteTestKeys, testPrefix, testRedisUrl } from "../helpers/redis-server";

/**
 * Stale-while-revalidate (issue #11 item 5) on the machine's Redis: an entry past its TTL that no
 * write retired is served while one refresh runs, across instances (the key's lease); an entry a
 * write retired (DEL'ed, or its generation moved) never is, however young. Time is the read path's
 * injected clock, moved by the test: no test waits for a TTL.
 */
describe("stale-while-revalidate on Redis", () => {
  const prefix = testPrefix("swr");
  const keys = createKeys(prefix);
  const ttlSeconds = 60;
  const graceSeconds = 300;
  let client: Redis;
  let store: CacheStore;
  let clock: number;

  beforeAll(() => {
    client = new Redis(testRedisUrl);
    store = createRedisStore(new Redis(testRedisUrl));
  });
  afterAll(async () => {
    await store.close();
    client.disconnect();
    await deleteTestKeys(prefix);
  });
  beforeEach(async () => {
    await deleteTestKeys(prefix);
    clock = 1_800_000_000_000;
  });

  // One gateway instance: its own stats, fill limit and single-flight map, on the shared Redis.
  function instance(swr = true): CacheRuntime {
    return {
      store,
      keys,
      fills: createFillLimit(),
      stats: createCacheStats(new Registry()),
      options: { ...defaultReadThroughOptions, ttlJitter: 0, now: () => clock, swrSeconds: swr ? { prod: graceSeconds, "prods:cat": graceSeconds } : undefined },
      inflight: new Map(),
    };
  }

  // The "database": one version string every row carries; `gate` holds loads until released.
  const database = { version: "v1", loads: 0, gate: null as Promise<void> | null };
  beforeEach(() => Object.assign(database, { version: "v1", loads: 0, gate: null }));
  const load = async <K>(ids: readonly K[]) => {
    database.loads += 1;
    const version = database.version;
    await database.gate;
    return ids.map(() => version);
  };
  const product: FamilySpec<number, string> = { family: "prod", key: (id) => keys.productKey(id), ttlSeconds, codec: jsonCodec<string>(), load };
  const listing: FamilySpec<number, string> = {
    family: "prods:cat",
    key: (id) => keys.productListKey(id, "page"),
    ttlSeconds,
    codec: jsonCodec<string>(),
    dependsOn: (id) => [keys.generationKey("prods:cat", id)],
    load,
  };
  const read = async (runtime: CacheRuntime, spec: FamilySpec<number, string>) => {
    const trace = createCacheTrace();
    const readThrough = createReadThrough(runtime, trace);
    const [value] = await readThrough.load(spec, [7]);
    return { value, trace, readThrough };
  };
  const gate = () => {
    let release!: () => void;
    database.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      database.gate = null;
      release();
    };
  };

  it.each([["an entity entry", product], ["a generation-stamped entry", listing]] as const)(
    "serves %s past its TTL once, refreshes it in the background, then serves the refreshed one",
    async (_, spec) => {
      const runtime = instance();
      expect((await read(runtime, spec)).value).toBe("v1");
      // Stored for TTL + grace, fresh until TTL.
      const stored = (await client.get(spec.key(7)))!;
      expect(decodeEntry(stored)!.softExpiresAtMs).toBe(clock + ttlSeconds * 1000);
      expect(await client.pttl(spec.key(7))).toBeGreaterThan((ttlSeconds + graceSeconds - 5) * 1000);

      database.version = "v2"; // changed outside the gateway: only the TTL bounds how long v1 is served
      clock += (ttlSeconds - 1) * 1000;
      expect((await read(runtime, spec)).value).toBe("v1"); // fresh: a plain hit
      expect(database.loads).toBe(1);

      clock += 2000; // past the TTL, within the grace
      const expired = await read(runtime, spec);
      expect(expired.value).toBe("v1");
      expect(expired.trace.complete).toBe(false); // a whole response must not be kept from it
      expect(runtime.stats.snapshot()[spec.family].expiredServed).toBe(1);
      await expired.readThrough.idle();
      expect(database.loads).toBe(2);

      const refreshed = await read(runtime, spec);
      expect(refreshed.value).toBe("v2");
      expect(refreshed.trace.complete).toBe(true);
      expect(database.loads).toBe(2);
      expect(decodeEntry((await client.get(spec.key(7)))!)!.softExpiresAtMs).toBe(clock + ttlSeconds * 1000);
    },
  );

  it("never serves a DEL'ed entry, however long its grace", async () => {
    const runtime = instance();
    await read(runtime, product);
    clock += (ttlSeconds + 1) * 1000;
    database.version = "v2";
    await store.del([product.key(7)]); // a write's invalidation
    const after = await read(runtime, product);
    expect(after.value).toBe("v2");
    expect(database.loads).toBe(2);
    expect(runtime.stats.snapshot().prod.expiredServed).toBe(0);
  });

  it("never serves an entry whose generation moved, expired or not", async () => {
    const runtime = instance();
    await read(runtime, listing);
    database.version = "v2";
    await store.incr([keys.generationKey("prods:cat", 7)]);
    expect((await read(runtime, listing)).value).toBe("v2"); // young, retired: read again
    await store.incr([keys.generationKey("prods:cat", 7)]);
    database.version = "v3";
    clock += (ttlSeconds + 1) * 1000;
    expect((await read(runtime, listing)).value).toBe("v3"); // expired and retired: read again, not served
    expect(database.loads).toBe(3);
    expect(runtime.stats.snapshot()["prods:cat"].expiredServed ?? 0).toBe(0);
  });

  it("runs one refresh across two instances (the key's lease)", async () => {
    const [a, b] = [instance(), instance()];
    await read(a, product);
    clock += (ttlSeconds + 1) * 1000;
    const release = gate();
    const first = await read(a, product); // served; its refresh is held in the load
    const second = await read(b, product); // served too; the lease is taken, so no second refresh
    expect([first.value, second.value]).toEqual(["v1", "v1"]);
    release();
    await Promise.all([first.readThrough.idle(), second.readThrough.idle()]);
    expect(database.loads).toBe(2);
  });

  it("refuses the refresh's write-back when a write's invalidation lands during it", async () => {
    const runtime = instance();
    await read(runtime, product);
    clock += (ttlSeconds + 1) * 1000;
    const release = gate();
    const expired = await read(runtime, product); // the refresh reads "v1" and is held
    database.version = "v2";
    await store.del([product.key(7)]); // the write commits, then invalidates
    release();
    await expired.readThrough.idle();
    expect(await client.get(product.key(7))).toBeNull(); // the refresh's v1 was refused
    expect((await read(runtime, product)).value).toBe("v2");
  });

  it("is off unless configured: an entry past its TTL is a miss", async () => {
    const runtime = instance(false);
    await read(runtime, product);
    expect(decodeEntry((await client.get(product.key(7)))!)!.softExpiresAtMs).toBeNull();
    expect(await client.pttl(product.key(7))).toBeLessThanOrEqual(ttlSeconds * 1000);
  });
});
