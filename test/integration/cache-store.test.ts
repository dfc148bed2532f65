import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { createKeys, hashArgs, type CacheKeys } from "../../src/cache/keys";
import { createMemoryStore } from "../../src/cache/memory-store";
import { createRedisClient, createRedisConnection, waitForReady } from "../../src/cache/redis-client";
import { createRedisStore } from "../../src/cache/redis-store";
import { encodeVersioned, leaseKeyOf, type CacheStore, type LeaseRead, type StoreOptions } from "../../src/cache/store";
import { clusterUnavailableReason, ownRedisCluster, type OwnRedisCluster } from "../../scripts/consistency/redis-cluster";

/**
 * One contract, three stores: the in-process store, the Redis store on the machine's Redis
 * (REDIS_URL_TEST overrides 127.0.0.1:6379), and the Redis store on a 3-master Redis Cluster the
 * test starts itself (skipped, saying why, without redis-server and redis-cli). Each run writes under its own random prefix and
 * deletes exactly the keys it built; nothing else in the database is touched.
 */

jest.setTimeout(60_000);

const redisUrl = process.env.REDIS_URL_TEST ?? "redis://127.0.0.1:6379";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Key builders under a fresh prefix that remember every key they build, for cleanup. */
function trackedKeys(): { keys: CacheKeys; built: Set<string> } {
  const built = new Set<string>();
  const inner = createKeys(`cgtest:${randomBytes(6).toString("hex")}:v1:`);
  const keys = Object.fromEntries(
    Object.entries(inner).map(([name, member]) => [
      name,
      typeof member === "function" && !["familyOf", "unwrap", "responseShardOf"].includes(name)
        ? (...args: unknown[]) => {
            const key = (member as (...a: unknown[]) => string)(...args);
            built.add(key);
            return key;
          }
        : member,
    ]),
  ) as unknown as CacheKeys;
  return { keys, built };
}

const leaseToken = (read: LeaseRead | undefined): string => {
  if (read?.kind !== "lease") throw new Error(`expected a lease, got ${JSON.stringify(read)}`);
  return read.token;
};

type StoreFactory = (options?: StoreOptions) => Promise<CacheStore>;

function storeContract(label: string, setup: () => { factory: StoreFactory; keys: CacheKeys; teardown: () => Promise<void> }) {
  describe(`CacheStore contract: ${label}`, () => {
    let factory: StoreFactory;
    let k: CacheKeys;
    let teardown: () => Promise<void>;
    const open: CacheStore[] = [];
    const newStore = async (options?: StoreOptions) => {
      const store = await factory(options);
      open.push(store);
      return store;
    };

    beforeAll(() => {
      ({ factory, keys: k, teardown } = setup());
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
    });
    afterAll(async () => {
      await teardown();
    });

    it("mget answers in key order, with null for misses", async () => {
      const store = await newStore();
      const [a, b, c] = [k.productKey(1), k.productKey(2), k.productKey(3)];
      await store.set([
        { key: c, value: "three", ttlSeconds: 60 },
        { key: a, value: "one", ttlSeconds: 60 },
      ]);
      expect(await store.mget([a, b, c])).toEqual(["one", null, "three"]);
      expect(await store.mget([c, c, b, a])).toEqual(["three", "three", null, "one"]);
      expect(await store.mget([b])).toEqual([null]);
      const before = store.roundTrips;
      expect(await store.mget([])).toEqual([]);
      expect(store.roundTrips).toBe(before);
    });

    it("mgetInOrder reads several groups in order, in one round trip on one Redis, each in key order, skipping empty groups", async () => {
      const store = await newStore();
      const [counter, a, b] = [k.responseVersionKey("=prod:9101", 0), k.productKey(9101), k.productKey(9102)];
      await store.incr([counter]);
      await store.set([{ key: a, value: "one", ttlSeconds: 60 }]);
      let before = store.roundTrips;
      expect(await store.mgetInOrder([[counter, k.responseVersionKey("=prod:9102", 0)], [], [b, a, b]])).toEqual([["1", null], [], [null, "one", null]]);
      // A cluster keeps the order by reading one group after the other: one round trip per group.
      expect(store.roundTrips - before).toBe(label === "redis cluster" ? 2 : 1);
      before = store.roundTrips;
      expect(await store.mgetInOrder([[], []])).toEqual([[], []]);
      expect(store.roundTrips).toBe(before);
    });

    it("grants a lease on a miss, answers busy while it lives, and a hit once it is filled", async () => {
      const store = await newStore();
      const key = k.productKey(10);
      const first = await store.getOrLease([key], 5000);
      const token = leaseToken(first.reads[0]);
      expect(token).toEqual(expect.any(String));
      expect((await store.getOrLease([key], 5000)).reads).toEqual([{ kind: "busy" }]);
      expect(await store.setLeased([{ key, value: "row-10", ttlSeconds: 60, token }])).toEqual([true]);
      expect((await store.getOrLease([key], 5000)).reads).toEqual([{ kind: "hit", value: "row-10" }]);
      // The fill consumed the lease: the same token cannot write again.
      expect(await store.setLeased([{ key, value: "again", ttlSeconds: 60, token }])).toEqual([false]);
      expect(await store.mget([key])).toEqual(["row-10"]);
    });

    it("answers a mixed batch key by key, and leases a repeated key once", async () => {
      const store = await newStore();
      const [hit, leased, busy] = [k.productKey(20), k.productKey(21), k.productKey(22)];
      await store.set([{ key: hit, value: "cached", ttlSeconds: 60 }]);
      leaseToken((await store.getOrLease([busy], 5000)).reads[0]);
      const { reads } = await store.getOrLease([hit, leased, busy, leased], 5000);
      expect(reads.map((r) => r.kind)).toEqual(["hit", "lease", "busy", "busy"]);
      expect(reads[0]).toEqual({ kind: "hit", value: "cached" });
      // Tokens are unique per grant.
      const other = leaseToken((await store.getOrLease([k.productKey(23)], 5000)).reads[0]);
      expect(other).not.toBe(leaseToken(reads[1]));
    });

    it("lets a lease expire: a new caller is granted one and the old token is refused", async () => {
      const store = await newStore();
      const key = k.categoryKey(30);
      // A 3 s lease: "busy" is checked well inside it (the next call), and expiry is polled for,
      // with no deadline that a loaded machine could miss.
      const oldToken = leaseToken((await store.getOrLease([key], 3000)).reads[0]);
      expect((await store.getOrLease([key], 3000)).reads[0].kind).toBe("busy");
      let read = (await store.getOrLease([key], 5000)).reads[0];
      while (read.kind === "busy") {
        await sleep(50);
        read = (await store.getOrLease([key], 5000)).reads[0];
      }
      const newToken = leaseToken(read);
      expect(newToken).not.toBe(oldToken);
      expect(await store.setLeased([{ key, value: "slow reader", ttlSeconds: 60, token: oldToken }])).toEqual([false]);
      expect(await store.setLeased([{ key, value: "fresh", ttlSeconds: 60, token: newToken }])).toEqual([true]);
      expect(await store.mget([key])).toEqual(["fresh"]);
    });

    // The race of DESIGN.md's promise 2: a reader misses and reads the old row; a writer commits
    // and invalidates; the reader's fill must not put the old row back.
    it("rejects a fill when the key was deleted after the lease was granted", async () => {
      const store = await newStore();
      const key = k.productKey(40);
      const token = leaseToken((await store.getOrLease([key], 5000)).reads[0]);
      const staleRow = "price 10";
      await store.del([key]); // the writer's invalidation, after its commit
      expect(await store.setLeased([{ key, value: staleRow, ttlSeconds: 60, token }])).toEqual([false]);
      expect(await store.mget([key])).toEqual([null]);
      // The next reader is granted a lease (not busy: del removed the old one) and fills the new row.
      const next = leaseToken((await store.getOrLease([key], 5000)).reads[0]);
      expect(await store.setLeased([{ key, value: "price 12", ttlSeconds: 60, token: next }])).toEqual([true]);
      expect(await store.mget([key])).toEqual(["price 12"]);
    });

    it("without the guard, the same sequence stores the stale row (the test can fail)", async () => {
      const store = await newStore({ guardWrites: false });
      const key = k.productKey(41);
      const token = leaseToken((await store.getOrLease([key], 5000)).reads[0]);
      await store.del([key]);
      expect(await store.setLeased([{ key, value: "price 10", ttlSeconds: 60, token }])).toEqual([true]);
      expect(await store.mget([key])).toEqual(["price 10"]);
    });

    it("rejects a fill when a write-through set happened after the lease was granted", async () => {
      const store = await newStore();
      const key = k.productSkuKey("SKU:41/b");
      const token = leaseToken((await store.getOrLease([key], 5000)).reads[0]);
      await store.set([{ key, value: "new", ttlSeconds: 60 }]);
      expect(await store.setLeased([{ key, value: "old", ttlSeconds: 60, token }])).toEqual([false]);
      expect(await store.mget([key])).toEqual(["new"]);
    });

    it("stores only the entries of a batch whose lease still holds", async () => {
      const store = await newStore();
      const keys = [k.productKey(50), k.productKey(51), k.productKey(52)];
      const tokens = (await store.getOrLease(keys, 5000)).reads.map(leaseToken);
      await store.del([keys[1]]);
      const stored = await store.setLeased(keys.map((key, i) => ({ key, value: `v${i}`, ttlSeconds: 60, token: tokens[i] })));
      expect(stored).toEqual([true, false, true]);
      expect(await store.mget(keys)).toEqual(["v0", null, "v2"]);
      // A token is bound to its key.
      const [x, y] = [k.productKey(53), k.productKey(54)];
      const [tx, ty] = (await store.getOrLease([x, y], 5000)).reads.map(leaseToken);
      expect(await store.setLeased([{ key: x, value: "x", ttlSeconds: 60, token: ty }])).toEqual([false]);
      expect(await store.setLeased([{ key: x, value: "x", ttlSeconds: 60, token: tx }])).toEqual([true]);
    });

    // Stale-while-revalidate's refresh: a lease on a key that holds a value, guarded like any fill.
    it("leases a key whether or not it holds a value, once; a del rejects that lease's fill", async () => {
      const store = await newStore();
      const [held, absent] = [k.productKey(60), k.productKey(61)];
      await store.set([{ key: held, value: "old", ttlSeconds: 60 }]);
      const [token, other] = await store.lease([held, absent], 5000);
      expect(token).toEqual(expect.any(String));
      expect(other).toEqual(expect.any(String));
      expect(await store.lease([held], 5000)).toEqual([null]); // one refresh at a time
      expect((await store.getOrLease([absent], 5000)).reads[0]).toEqual({ kind: "busy" });
      expect(await store.setLeased([{ key: held, value: "new", ttlSeconds: 60, token: token! }])).toEqual([true]);
      expect(await store.mget([held])).toEqual(["new"]);

      const [again] = await store.lease([held], 5000);
      await store.del([held]);
      expect(await store.setLeased([{ key: held, value: "stale", ttlSeconds: 60, token: again! }])).toEqual([false]);
      expect(await store.mget([held])).toEqual([null]);
    });

    it("sets, deletes and increments", async () => {
      const store = await newStore();
      const [a, b] = [k.statsKey("count"), k.statsKey("price")];
      await store.set([
        { key: a, value: "1", ttlSeconds: 60 },
        { key: b, value: "2", ttlSeconds: 60 },
      ]);
      await store.set([{ key: a, value: "1b", ttlSeconds: 60 }]);
      expect(await store.mget([a, b])).toEqual(["1b", "2"]);
      await store.del([a, k.statsKey("never-set")]);
      expect(await store.mget([a, b])).toEqual([null, "2"]);
      await store.del([]);

      const [g1, g2] = [k.generationKey("prods:cat", 5), k.generationKey("search")];
      expect(await store.incr([g1])).toEqual([1]);
      expect(await store.incr([g1, g2])).toEqual([2, 1]);
      expect(await store.incr([g1, g1])).toEqual([3, 4]);
      expect(await store.mget([g1, g2])).toEqual(["4", "1"]);
      expect(await store.ttl(g1)).toBe(-1);
      await store.del([g2]);
      expect(await store.incr([g2])).toEqual([1]);
    });

    it("serves a versioned entry on its group epochs while they hold, on its vector once they moved, and forgets a stamp when the entry is saved again", async () => {
      const store = await newStore();
      const entry = k.responseKey("epochs");
      const stamp = k.responseStampKey(entry);
      const [counter, other, epoch] = [k.responseVersionKey("=prod:71", 0), k.responseVersionKey("=prod:72", 0), k.responseVersionKey("@prod:epochs-test", 0)];
      // A write of prod:1 moves its counter and its group's epoch together.
      await store.invalidate([], [], [counter, epoch]);
      await store.setVersioned({ key: entry, stampKey: stamp, value: "fresh", ttlSeconds: 60, versions: [[counter, "1"]], epochs: [[epoch, "1"]] });
      expect(await store.getVersioned(entry, stamp)).toBe("fresh");
      // A write of another key of the group moves the epoch, not the vector: still served (and stamped).
      await store.invalidate([], [], [other, epoch]);
      expect(await store.getVersioned(entry, stamp)).toBe("fresh");
      expect(await store.getVersioned(entry, stamp)).toBe("fresh");
      // Saved again from a snapshot taken before the first write: the old stamp must not vouch for it.
      await store.setVersioned({ key: entry, stampKey: stamp, value: "old", ttlSeconds: 60, versions: [[counter, "0"]], epochs: [[epoch, "0"]] });
      expect(await store.getVersioned(entry, stamp)).toBeNull();
      // A write of the entry's own key retires it, stamp or not.
      await store.setVersioned({ key: entry, stampKey: stamp, value: "again", ttlSeconds: 60, versions: [[counter, "1"]], epochs: [[epoch, "2"]] });
      expect(await store.getVersioned(entry, stamp)).toBe("again");
      await store.invalidate([], [], [other, epoch]);
      expect(await store.getVersioned(entry, stamp)).toBe("again");
      await store.invalidate([], [], [counter, epoch]);
      expect(await store.getVersioned(entry, stamp)).toBeNull();
    });

    it("reads a valid versioned entry with the values a near copy is checked against (its epochs and its vector now), whichever check validated it, in one round trip", async () => {
      const store = await newStore();
      // Only a Redis store has it (the near tier runs over one).
      if (!store.readVersioned) return expect(store.name).toBe("memory");
      const entry = k.responseKey("state");
      const stamp = k.responseStampKey(entry);
      const [counter, bucket, other, epoch] = [k.responseVersionKey("=prod:81", 0), k.responseVersionKey("prod#5", 0), k.responseVersionKey("=prod:82", 0), k.responseVersionKey("@prod:state-test", 0)];
      await store.invalidate([], [], [counter, epoch]);
      const versions: [string, string][] = [
        [counter, "1"],
        [bucket, "0"],
      ];
      await store.setVersioned({ key: entry, stampKey: stamp, value: "kept", ttlSeconds: 60, versions, epochs: [[epoch, "1"]] });
      const raw = encodeVersioned(versions, "kept", [[epoch, "1"]]);
      // On its epochs (the vector read for the answer alone).
      let before = store.roundTrips;
      expect(await store.readVersioned(entry, stamp)).toEqual({ raw, epochsNow: ["1"], stamped: false, versionsNow: ["1", "0"] });
      expect(store.roundTrips - before).toBe(1);
      // A write of another key of the group: the full check, which stamps; then the stamp.
      await store.invalidate([], [], [other, epoch]);
      expect(await store.readVersioned(entry, stamp)).toEqual({ raw, epochsNow: ["2"], stamped: true, versionsNow: ["1", "0"] });
      before = store.roundTrips;
      expect(await store.readVersioned(entry, stamp)).toEqual({ raw, epochsNow: ["2"], stamped: true, versionsNow: ["1", "0"] });
      expect(store.roundTrips - before).toBe(1);
      // A counter of its vector moved: nothing.
      await store.invalidate([], [], [bucket, epoch]);
      expect(await store.readVersioned(entry, stamp)).toBeNull();
      expect(await store.readVersioned(k.responseKey("absent"), k.responseStampKey(k.responseKey("absent")))).toBeNull();
    });

    it("serves a versioned entry while every counter it names holds its value, in one round trip", async () => {
      const store = await newStore();
      const entry = k.responseKey("versioned");
      const [moved, kept, never] = [k.responseVersionKey("=prod:1", 0), k.responseVersionKey("prod#3", 0), k.responseVersionKey("=cat:9", 0)];
      await store.incr([moved, kept]);
      const body = '{"data":{"a":"line\\nbreak"}}\nand a raw newline';
      await store.setVersioned({ key: entry, value: body, ttlSeconds: 60, versions: [[moved, "1"], [kept, "1"], [never, "0"]] });
      const before = store.roundTrips;
      expect(await store.getVersioned(entry)).toBe(body);
      expect(store.roundTrips - before).toBe(1);
      // A counter that moves after the save retires the entry; one it does not name changes nothing.
      await store.incr([k.responseVersionKey("=prod:2", 0)]);
      expect(await store.getVersioned(entry)).toBe(body);
      await store.incr([moved]);
      expect(await store.getVersioned(entry)).toBeNull();
      // An absent counter holds "0": a first INCR of it retires the entry too.
      await store.setVersioned({ key: entry, value: "again", ttlSeconds: 60, versions: [[never, "0"]] });
      expect(await store.getVersioned(entry)).toBe("again");
      await store.incr([never]);
      expect(await store.getVersioned(entry)).toBeNull();
      // An empty vector is always valid; a missing entry or a plain value is not a versioned one.
      await store.setVersioned({ key: entry, value: "plain", ttlSeconds: 60, versions: [] });
      expect(await store.getVersioned(entry)).toBe("plain");
      expect(await store.getVersioned(k.responseKey("absent"))).toBeNull();
      await store.set([{ key: entry, value: "no vector", ttlSeconds: 60 }]);
      expect(await store.getVersioned(entry)).toBeNull();
      // It honours its TTL.
      await store.setVersioned({ key: entry, value: "brief", ttlSeconds: 0.05, versions: [] });
      await sleep(150);
      expect(await store.getVersioned(entry)).toBeNull();
    });

    it("invalidates in one step: deletes values and leases, then increments counters, in one round trip", async () => {
      const store = await newStore();
      const [row, leased] = [k.productKey(70), k.productKey(71)];
      const [gen, version] = [k.generationKey("prods:cat", 70), k.responseVersionKey("=prod:70", 0)];
      await store.set([{ key: row, value: "old row", ttlSeconds: 60 }]);
      const token = leaseToken((await store.getOrLease([leased], 5000)).reads[0]);
      await store.incr([gen]);
      const before = store.roundTrips;
      await store.invalidate([row, leased], [gen, version, gen]);
      expect(store.roundTrips - before).toBe(1);
      expect(await store.mget([row, gen, version])).toEqual([null, "3", "1"]);
      expect(await store.setLeased([{ key: leased, value: "stale fill", ttlSeconds: 60, token }])).toEqual([false]);
      const idle = store.roundTrips;
      await store.invalidate([], []);
      expect(store.roundTrips).toBe(idle);
    });

    it("invalidates a footprint spread over many slots, the `after` counters once the rest is in", async () => {
      const store = await newStore();
      const rows = Array.from({ length: 30 }, (_, i) => k.productKey(100 + i));
      const gens = Array.from({ length: 10 }, (_, i) => k.generationKey("prods:cat", 100 + i));
      const versions = [k.responseVersionKey("=prod:100", 0), k.responseVersionKey("prod#1", 0)];
      await store.set(rows.map((key) => ({ key, value: "old", ttlSeconds: 60 })));
      const { reads } = await store.getOrLease([k.productKey(200)], 5000);
      const before = store.roundTrips;
      await store.invalidate([...rows, k.productKey(200)], gens, versions);
      // One round trip on one Redis or in memory; a cluster: the DELs and generations, then the counters.
      expect(store.roundTrips - before).toBeLessThanOrEqual(2);
      expect(await store.mget([...rows, ...gens, ...versions])).toEqual([...rows.map(() => null), ...gens.map(() => "1"), "1", "1"]);
      expect(await store.setLeased([{ key: k.productKey(200), value: "stale", ttlSeconds: 60, token: leaseToken(reads[0]) }])).toEqual([false]);
    });

    it("reads a batch spread over many slots in one round trip, each key with its own lease", async () => {
      const store = await newStore();
      const keys = Array.from({ length: 40 }, (_, i) => k.productKey(300 + i));
      const gens = Array.from({ length: 5 }, (_, i) => k.generationKey("prods:cat", 300 + i));
      await store.incr([gens[2]]);
      await store.set([{ key: keys[7], value: "seven", ttlSeconds: 60 }]);
      const before = store.roundTrips;
      const { reads, extra } = await store.getOrLease(keys, 5000, gens);
      expect(store.roundTrips - before).toBe(1);
      expect(extra).toEqual([null, null, "1", null, null]);
      expect(reads[7]).toEqual({ kind: "hit", value: "seven" });
      const tokens = reads.filter((read) => read.kind === "lease").map(leaseToken);
      expect(new Set(tokens).size).toBe(39);
      const fills = keys.map((key, i) => ({ key, value: `row ${i}`, ttlSeconds: 60, token: reads[i].kind === "lease" ? leaseToken(reads[i]) : "none" }));
      expect(await store.setLeased(fills)).toEqual(keys.map((_, i) => i !== 7));
      expect(await store.mget(keys)).toEqual(keys.map((_, i) => (i === 7 ? "seven" : `row ${i}`)));
    });

    it("raises marks to the larger position, never lower, with no TTL, in one round trip", async () => {
      const store = await newStore();
      const [a, b] = [k.replicaMarkKey(1), k.replicaMarkKey(2)];
      const before = store.roundTrips;
      await store.raise([a, b], "00000000FFFFFFFF");
      expect(store.roundTrips - before).toBe(1);
      await store.raise([a], "0000000100000000"); // a carry into the high half: larger
      await store.raise([b], "00000000FFFFFFFE"); // smaller: kept as it was
      expect(await store.mget([a, b])).toEqual(["0000000100000000", "00000000FFFFFFFF"]);
      expect(await store.ttl(a)).toBe(-1);
      await expect(store.raise([a], "1/0")).rejects.toThrow(RangeError);
      const idle = store.roundTrips;
      await store.raise([], "0000000000000001");
      expect(store.roundTrips).toBe(idle);
    });

    it("honours TTLs", async () => {
      const store = await newStore();
      const [a, b, brief] = [k.searchKey(hashArgs({ q: "tv" })), k.categoryTreeKey(), k.productKey(60)];
      await store.set([{ key: a, value: "page", ttlSeconds: 600 }]);
      const token = leaseToken((await store.getOrLease([b], 5000)).reads[0]);
      await store.setLeased([{ key: b, value: "tree", ttlSeconds: 90, token }]);
      // Margins of 10 s below the TTL: a loaded machine may pause between the write and the read.
      const ttlA = await store.ttl(a);
      expect(ttlA).toBeGreaterThanOrEqual(590);
      expect(ttlA).toBeLessThanOrEqual(600);
      const ttlB = await store.ttl(b);
      expect(ttlB).toBeGreaterThanOrEqual(80);
      expect(ttlB).toBeLessThanOrEqual(90);
      expect(await store.ttl(k.productKey(61))).toBe(-2);

      // A fractional TTL is kept (not rounded to 0 or to "no expiry"): Redis reports it, and a short one expires.
      // No deadline is asserted: the entry is polled until it is gone, however loaded the machine.
      await store.set([{ key: brief, value: "short", ttlSeconds: 60.5 }]);
      expect(await store.mget([brief])).toEqual(["short"]);
      expect(await store.ttl(brief)).toBeGreaterThanOrEqual(50);
      expect(await store.ttl(brief)).toBeLessThanOrEqual(61);
      await store.set([{ key: brief, value: "short", ttlSeconds: 0.05 }]);
      expect(await store.ttl(brief)).toBeLessThanOrEqual(1);
      while ((await store.mget([brief]))[0] !== null) await sleep(20);
      expect(await store.ttl(brief)).toBe(-2);
      // A bad TTL is the caller's bug: it throws, and nothing of the batch is written.
      const good = k.productKey(62);
      await expect(
        store.set([
          { key: good, value: "x", ttlSeconds: 60 },
          { key: brief, value: "x", ttlSeconds: 0 },
        ]),
      ).rejects.toThrow(/ttlSeconds must be a positive number of seconds, got 0/);
      expect(await store.mget([good, brief])).toEqual([null, null]);
      await expect(store.getOrLease([good], 0)).rejects.toThrow(/leaseTtlMs must be a positive integer of milliseconds, got 0/);
    });

    it("reads extra keys (generations) in the same round trip", async () => {
      const store = await newStore();
      const gen = k.generationKey("prods:cat", 7);
      const missingGen = k.generationKey("prods:cat", null);
      await store.incr([gen]);
      await store.incr([gen]);
      const list = k.productListKey(7, hashArgs({ first: 20 }));
      const before = store.roundTrips;
      const { reads, extra } = await store.getOrLease([list], 5000, [gen, missingGen]);
      expect(store.roundTrips - before).toBe(1);
      expect(reads[0].kind).toBe("lease");
      expect(extra).toEqual(["2", null]);
      // Extra keys alone also work, and are plain reads (no lease taken on them).
      expect(await store.getOrLease([], 5000, [missingGen, gen])).toEqual({ reads: [], extra: [null, "2"] });
      expect((await store.getOrLease([missingGen], 5000)).reads[0].kind).toBe("lease");
    });

    it("counts one round trip per call, whatever the number of keys", async () => {
      const store = await newStore();
      const keys = Array.from({ length: 100 }, (_, i) => k.productKey(1000 + i));
      const gens = [k.generationKey("stats"), k.generationKey("search")];
      const trips = async (call: () => Promise<unknown>) => {
        const before = store.roundTrips;
        await call();
        return store.roundTrips - before;
      };
      let reads: LeaseRead[] = [];
      expect(await trips(async () => ({ reads } = await store.getOrLease(keys, 5000, gens)))).toBe(1);
      expect(reads.every((r) => r.kind === "lease")).toBe(true);
      const fills = keys.map((key, i) => ({ key, value: `row ${i}`, ttlSeconds: 60, token: leaseToken(reads[i]) }));
      expect(await trips(() => store.setLeased(fills))).toBe(1);
      expect(await trips(() => store.mget(keys))).toBe(1);
      expect(await trips(() => store.getOrLease(keys, 5000))).toBe(1);
      expect(await trips(() => store.set(fills))).toBe(1);
      expect(await trips(() => store.incr(gens))).toBe(1);
      expect(await trips(() => store.del(keys))).toBe(1);
      expect(await trips(() => store.getOrLease([], 5000))).toBe(0);
      expect(await trips(() => store.setLeased([]))).toBe(0);
    });

    it("reports liveness and info", async () => {
      const store = await newStore();
      await store.set([{ key: k.productKey(70), value: "x", ttlSeconds: 60 }]);
      expect(await store.ping()).toBe(true);
      const info = await store.info();
      expect(info.keyCount).toBeGreaterThanOrEqual(1);
      if (store.name === "redis") expect(info.usedMemoryBytes).toBeGreaterThan(0);
    });
  });
}

storeContract("memory", () => {
  const { keys } = trackedKeys();
  return {
    keys,
    factory: async (options) => createMemoryStore(options),
    teardown: async () => undefined,
  };
});

/** The Redis store on a connection of its own, ready before the test starts. */
async function redisStore(options?: StoreOptions): Promise<{ store: CacheStore; client: Redis }> {
  // The contract is not about timeouts: the default 250 ms command timeout failed a command here on a loaded machine.
  const client = createRedisClient({ url: redisUrl, connectionName: "cache-store-test", commandTimeoutMs: 10_000 });
  if (!(await waitForReady(client, 5000))) throw new Error(`Redis at ${redisUrl} is not reachable`);
  return { store: createRedisStore(client, options), client };
}

/** Deletes exactly the keys a run built, and their leases. */
async function deleteBuilt(built: Set<string>): Promise<void> {
  if (built.size === 0) return;
  const { store, client } = await redisStore();
  const all = [...built].flatMap((key) => [key, leaseKeyOf(key)]);
  for (let i = 0; i < all.length; i += 500) await client.del(...all.slice(i, i + 500));
  await store.close();
}

storeContract("redis", () => {
  const { keys, built } = trackedKeys();
  return {
    keys,
    factory: async (options) => (await redisStore(options)).store,
    teardown: () => deleteBuilt(built),
  };
});

const clusterSkip = clusterUnavailableReason();
if (clusterSkip) {
  describe.skip("CacheStore contract: redis cluster", () => it.skip("needs redis-server and redis-cli", () => undefined));
  console.log(`CacheStore contract on a Redis Cluster skipped: ${clusterSkip}`);
} else {
  let cluster: Promise<OwnRedisCluster> | null = null;
  storeContract("redis cluster", () => {
    const { keys } = trackedKeys();
    return {
      keys,
      factory: async (options) => {
        cluster ??= ownRedisCluster({ masters: 3 });
        const connection = createRedisConnection({ clusterNodes: (await cluster).nodes, connectionName: "cache-store-test", commandTimeoutMs: 2000 });
        if (!(await waitForReady(connection, 10_000))) throw new Error("the test's Redis Cluster is not reachable");
        return createRedisStore(connection, options);
      },
      teardown: async () => (await cluster)?.dispose(),
    };
  });
}

describe("Redis store across connections", () => {
  const { keys: k, built } = trackedKeys();
  const opened: CacheStore[] = [];
  const connect = async (options?: StoreOptions) => {
    const pair = await redisStore(options);
    opened.push(pair.store);
    return pair;
  };

  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    await deleteBuilt(built);
  });

  it("shares leases between gateway instances: busy elsewhere, and one instance's del rejects another's fill", async () => {
    const { store: reader } = await connect();
    const { store: writer } = await connect();
    const key = k.productKey(1);
    const token = leaseToken((await reader.getOrLease([key], 5000)).reads[0]);
    expect((await writer.getOrLease([key], 5000)).reads).toEqual([{ kind: "busy" }]);
    await writer.del([key]);
    expect(await reader.setLeased([{ key, value: "stale", ttlSeconds: 60, token }])).toEqual([false]);
    expect(await writer.mget([key])).toEqual([null]);
  });

  it("keeps the lease in `<key>#lease` with the lease TTL, and no TTL on counters", async () => {
    const { store, client } = await connect();
    const key = k.productKey(2);
    const token = leaseToken((await store.getOrLease([key], 30_000)).reads[0]);
    expect(await client.get(leaseKeyOf(key))).toBe(token);
    const pttl = await client.pttl(leaseKeyOf(key));
    expect(pttl).toBeGreaterThan(20_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    await store.setLeased([{ key, value: "v", ttlSeconds: 60, token }]);
    expect(await client.exists(leaseKeyOf(key))).toBe(0);
    const gen = k.generationKey("stats");
    await store.incr([gen]);
    expect(await client.ttl(gen)).toBe(-1);
  });

  it("sends one command, in one socket write, for a getOrLease of 100 keys (the script is cached per connection)", async () => {
    const { store, client } = await connect();
    const keys = Array.from({ length: 100 }, (_, i) => k.productKey(100 + i));
    await store.getOrLease([k.productKey(99)], 5000); // sends the script text once on this connection
    const commands: string[] = [];
    const sendCommand = client.sendCommand.bind(client);
    const spy = jest.spyOn(client, "sendCommand").mockImplementation((command, stream) => {
      commands.push(command.name);
      return sendCommand(command, stream);
    });
    const stream = (client as unknown as { stream: { write: (...args: unknown[]) => boolean } }).stream;
    const writeSpy = jest.spyOn(stream, "write");
    try {
      await store.getOrLease(keys, 5000, [k.generationKey("search")]);
      expect(commands).toEqual(["evalsha"]);
      expect(writeSpy).toHaveBeenCalledTimes(1);
      commands.length = 0;
      writeSpy.mockClear();
      await store.incr([k.generationKey("search"), k.generationKey("stats")]);
      // A pipeline: two commands, one write, one wait for the replies.
      expect(commands).toEqual(["incr", "incr"]);
      expect(writeSpy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
      writeSpy.mockRestore();
    }
  });
});
