import type { Codec } from "./codec";
import type { FillLimit } from "./fill-limit";
import type { CacheKeys, Family } from "./keys";
import type { CacheStats } from "./stats";
import type { CacheStore } from "./store";

/**
 * The read path every loader goes through: one store round trip for a batch of keys (values, leases
 * and the generation counters they depend on), one `load` for the misses, one guarded write-back.
 *
 * Two guards keep a value read before an invalidation from being served after it:
 * - entity families hold a lease per missed key; an invalidation deletes the lease, so the fill of
 *   a reader that read the old row is refused by the store (DESIGN.md promise 2);
 * - list families (`dependsOn`) stamp each entry with the generations of what they depend on, read
 *   in the same round trip before the database; one INCR retires every entry stamped before it.
 */
export interface FamilySpec<K, V> {
  family: Family;
  /** The full cache key of `key`, from the key builders. */
  key(key: K): string;
  ttlSeconds: number;
  /** Cache misses (null) this long; unset: a null is not cached. */
  negativeTtlSeconds?: number;
  codec: Codec<V>;
  /** One query for all the keys; results in key order, null where missing. */
  load(keys: readonly K[]): Promise<(V | null)[]>;
  /** Generation counter keys an entry depends on; it is stale once any of them moved. */
  dependsOn?(key: K): string[];
}

/** Options of the read path, with defaults in `defaultReadThroughOptions`. */
export interface ReadThroughOptions {
  /** How long a lease protects a fill, ms. Longer than the slowest load. Default 5000. */
  leaseTtlMs: number;
  /** How long a reader waits for another's lease before loading without filling, ms. Default 150. */
  leaseWaitMs: number;
  /** Pause between polls of a busy key, ms. Default 15. */
  leaseRetryMs: number;
  /** TTLs are shortened by up to this fraction at random, so entries do not expire together. Default 0.1. */
  ttlJitter: number;
  /** Fault injection (tests only): a pause between a fill's database read and its write-back, ms. Default 0. */
  fillDelayMs?: number;
}

export const defaultReadThroughOptions: ReadThroughOptions = {
  leaseTtlMs: 5000,
  leaseWaitMs: 150,
  leaseRetryMs: 15,
  ttlJitter: 0.1,
};

/** Process-wide state of the read path: the store, its counters, and the loads in flight. */
export interface CacheRuntime {
  store: CacheStore | null;
  keys: CacheKeys;
  /** Bounds the database loads running at once, so a cold or unavailable cache cannot flood it. */
  fills: FillLimit;
  stats: CacheStats;
  options: ReadThroughOptions;
  /** Single flight: the fill in progress for a cache key in this process. */
  inflight: Map<string, Promise<SharedFill>>;
}

/**
 * What a fill hands to the requests of the process that joined it. The leader sends its store
 * read before any other request can join, so what it read may predate a joiner's start (a write
 * may have completed in between): a joiner takes the value only when `verified`, i.e. its guarded
 * write-back was accepted, which proves no invalidation landed after the lease was granted, and
 * reads the key again otherwise. Without this a read that began after a write's response could be
 * answered from a fill that read the database before that write (DESIGN.md promise 2).
 */
export interface SharedFill {
  value: unknown;
  verified: boolean;
}

/** What one request read from the cache, for `extensions.cache` and a later response cache. */
export interface CacheTrace {
  families: Partial<Record<Family, { hits: number; misses: number; roundTrips: number }>>;
  roundTrips: number;
  /** Every entry key and generation key the request's answer depends on. */
  dependencies: Set<string>;
  /** The raw value of each entry and generation the request read from the store. */
  observed: Map<string, string>;
  /**
   * True while every value the request used came from the store as observed (no database load,
   * no shared fill, no stale entry, no store failure): only such an answer can be validated later
   * against `observed` (the response cache). Resolvers that answer from elsewhere clear it.
   */
  complete: boolean;
}

export function createCacheTrace(): CacheTrace {
  return { families: {}, roundTrips: 0, dependencies: new Set(), observed: new Map(), complete: true };
}

// A key read twice in one request with two values leaves no single state to validate against.
function observe(trace: CacheTrace, key: string, value: string): void {
  const seen = trace.observed.get(key);
  if (seen !== undefined && seen !== value) trace.complete = false;
  trace.observed.set(key, value);
}

export interface ReadThrough {
  load<K, V>(spec: FamilySpec<K, V>, keys: readonly K[]): Promise<(V | null)[]>;
}

// An entry is "<v|n><stamp>|<payload>": v a value, n a cached miss; stamp the generations it saw.
function encodeEntry(payload: string | null, stamp: string): string {
  return payload === null ? `n${stamp}|` : `v${stamp}|${payload}`;
}

function decodeEntry(text: string): { payload: string | null; stamp: string } | null {
  const bar = text.indexOf("|");
  if (bar < 1 || (text[0] !== "v" && text[0] !== "n")) return null;
  return { stamp: text.slice(1, bar), payload: text[0] === "n" ? null : text.slice(bar + 1) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function jittered(ttlSeconds: number, jitter: number): number {
  return Math.max(1, Math.round(ttlSeconds * (1 - Math.random() * jitter)));
}

/** A read path for one request: counts go to the runtime's stats and to the request's trace. */
export function createReadThrough(runtime: CacheRuntime, trace: CacheTrace = createCacheTrace()): ReadThrough {
  const { stats, options, inflight } = runtime;

  function note(family: Family, field: "hits" | "misses" | "roundTrips", n = 1) {
    const counts = (trace.families[family] ??= { hits: 0, misses: 0, roundTrips: 0 });
    counts[field] += n;
    if (field === "roundTrips") trace.roundTrips += n;
  }

  async function load<K, V>(spec: FamilySpec<K, V>, keys: readonly K[]): Promise<(V | null)[]> {
    const store = runtime.store;
    if (!store || keys.length === 0) {
      if (keys.length > 0) trace.complete = false;
      note(spec.family, "misses", keys.length);
      return spec.load(keys);
    }
    const cacheKeys = keys.map((key) => spec.key(key));
    for (const key of cacheKeys) trace.dependencies.add(key);

    // Single flight: a key another request of this process is filling is awaited, not loaded
    // again; if that fill cannot prove its value fresh (see SharedFill), the key is read again.
    const results: (V | null)[] = new Array(keys.length).fill(null);
    const waiting: Promise<void>[] = [];
    const own: number[] = [];
    const again: number[] = [];
    const settle = new Map<string, (fill: SharedFill) => void>();
    const fail = new Map<string, (error: unknown) => void>();
    cacheKeys.forEach((cacheKey, i) => {
      const pending = inflight.get(cacheKey);
      if (pending) {
        waiting.push(
          pending.then(({ value, verified }) => {
            if (!verified) return void again.push(i);
            stats.record(spec.family, "coalesced");
            trace.complete = false; // another request observed this value, not this one
            results[i] = value as V | null;
          }),
        );
        return;
      }
      own.push(i);
      const promise = new Promise<SharedFill>((resolve, reject) => {
        settle.set(cacheKey, resolve);
        fail.set(cacheKey, reject);
      });
      promise.catch(() => undefined);
      inflight.set(cacheKey, promise);
    });

    const verified = new Set<number>();
    try {
      await fillOwn(store, spec, keys, cacheKeys, own, results, verified);
      for (const i of own) settle.get(cacheKeys[i])?.({ value: results[i], verified: verified.has(i) });
    } catch (error) {
      for (const i of own) fail.get(cacheKeys[i])?.(error);
      throw error;
    } finally {
      for (const i of own) inflight.delete(cacheKeys[i]);
    }
    await Promise.all(waiting);
    // Read alone, without offering the fill to others: bounded, however busy the key is.
    if (again.length > 0) await fillOwn(store, spec, keys, cacheKeys, again, results, new Set());
    return results;
  }

  async function fillOwn<K, V>(
    store: CacheStore,
    spec: FamilySpec<K, V>,
    keys: readonly K[],
    cacheKeys: string[],
    own: number[],
    results: (V | null)[],
    verified: Set<number>,
  ): Promise<void> {
    if (own.length === 0) return;
    // Every entry also depends on `gen:<family>`, so one INCR retires a whole family (invalidateCache).
    const familyGeneration = runtime.keys.generationKey(spec.family);
    const dependencies = (key: K) => [familyGeneration, ...(spec.dependsOn?.(key) ?? [])];
    const genKeys = [...new Set(own.flatMap((i) => dependencies(keys[i])))];
    for (const key of genKeys) trace.dependencies.add(key);
    // A stamp names its counters, not only their values: an entry computed from other counters (a
    // category's inherited attributes stamped with its ancestors before a move) must not match a
    // reader's stamp because the numbers happen to be equal.
    // Names go without "<prefix>gen:": a configured prefix may hold "|", which ends a stamp.
    const genPrefix = runtime.keys.generationKey(spec.family).length - spec.family.length;
    const stampOf = (key: K, generations: Map<string, string>) =>
      dependencies(key).map((genKey) => `${genKey.slice(genPrefix)}=${generations.get(genKey) ?? "0"}`).join(",");

    const toLoad: { index: number; token: string | null }[] = [];
    let generations = new Map<string, string>();
    let pending = own;
    const deadline = Date.now() + options.leaseWaitMs;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      let read: Awaited<ReturnType<CacheStore["getOrLease"]>>;
      try {
        note(spec.family, "roundTrips");
        read = await stats.time(spec.family, "read", () =>
          store.getOrLease(
            pending.map((i) => cacheKeys[i]),
            options.leaseTtlMs,
            attempt === 0 ? genKeys : [],
          ),
        );
      } catch {
        // The store failed: answer from the database and fill nothing.
        stats.record(spec.family, "error");
        for (const index of pending) toLoad.push({ index, token: null });
        break;
      }
      if (attempt === 0) {
        generations = new Map(genKeys.map((key, i) => [key, read.extra[i] ?? "0"]));
        for (const [key, value] of generations) observe(trace, key, value);
      }
      const busy: number[] = [];
      const staleLeased: number[] = [];
      read.reads.forEach((entry, j) => {
        const index = pending[j];
        if (entry.kind === "hit") {
          const decoded = decodeEntry(entry.value);
          if (decoded && decoded.stamp === stampOf(keys[index], generations)) {
            stats.record(spec.family, "hit");
            note(spec.family, "hits");
            observe(trace, cacheKeys[index], entry.value);
            results[index] = decoded.payload === null ? null : spec.codec.decode(decoded.payload);
            return;
          }
          stats.record(spec.family, "stale");
          // A generation-stamped entry may be refilled without a lease: the stamp read before the
          // load guards it. An entity entry is invalidated by DEL, so its refill needs a lease.
          if (spec.dependsOn) toLoad.push({ index, token: null });
          else staleLeased.push(index);
        } else if (entry.kind === "lease") {
          toLoad.push({ index, token: entry.token });
        } else if (entry.kind === "busy") {
          busy.push(index);
        } else {
          toLoad.push({ index, token: null });
        }
      });
      if (staleLeased.length > 0) {
        try {
          note(spec.family, "roundTrips");
          await store.del(staleLeased.map((index) => cacheKeys[index]));
        } catch {
          stats.record(spec.family, "error");
          for (const index of staleLeased) toLoad.push({ index, token: null });
          staleLeased.length = 0;
        }
      }
      if (busy.length === 0 && staleLeased.length === 0) break;
      if (busy.length > 0) {
        stats.record(spec.family, "leaseWait", busy.length);
        if (Date.now() + options.leaseRetryMs > deadline) {
          // Another process is filling these; rather than wait longer, read them without filling.
          for (const index of busy) toLoad.push({ index, token: null });
          busy.length = 0;
        } else {
          await sleep(options.leaseRetryMs);
        }
      }
      pending = [...staleLeased, ...busy];
    }
    if (toLoad.length === 0) return;

    trace.complete = false;
    stats.record(spec.family, "miss", toLoad.length);
    note(spec.family, "misses", toLoad.length);
    const loaded = await runtime.fills.run(() => spec.load(toLoad.map(({ index }) => keys[index])));
    toLoad.forEach(({ index }, j) => (results[index] = loaded[j]));
    if (options.fillDelayMs) await sleep(options.fillDelayMs);
    await writeBack(store, spec, cacheKeys, toLoad, results, (index) => stampOf(keys[index], generations), verified);
  }

  async function writeBack<K, V>(
    store: CacheStore,
    spec: FamilySpec<K, V>,
    cacheKeys: string[],
    toLoad: { index: number; token: string | null }[],
    results: (V | null)[],
    stampAt: (index: number) => string,
    verified: Set<number>,
  ): Promise<void> {
    const leased: { index: number; key: string; value: string; ttlSeconds: number; token: string }[] = [];
    const plain: { key: string; value: string; ttlSeconds: number }[] = [];
    for (const { index, token } of toLoad) {
      const value = results[index];
      if (value === null && spec.negativeTtlSeconds === undefined) continue;
      const ttlSeconds = jittered(value === null ? spec.negativeTtlSeconds! : spec.ttlSeconds, options.ttlJitter);
      const entry = {
        key: cacheKeys[index],
        value: encodeEntry(value === null ? null : spec.codec.encode(value), stampAt(index)),
        ttlSeconds,
      };
      // Without a lease only generation-stamped entries may be written: their stamp guards them.
      if (token) leased.push({ ...entry, index, token });
      else if (spec.dependsOn) plain.push(entry);
    }
    try {
      if (leased.length > 0) {
        note(spec.family, "roundTrips");
        const stored = await stats.time(spec.family, "fill", () => store.setLeased(leased));
        const rejected = stored.filter((ok) => !ok).length;
        if (rejected > 0) stats.record(spec.family, "rejectedWrite", rejected);
        // An accepted lease proves an entity entry fresh; a generation-stamped one is retired by
        // INCR, which leaves the lease alone, so its acceptance proves nothing.
        if (!spec.dependsOn) leased.forEach(({ index }, j) => stored[j] && verified.add(index));
      }
      if (plain.length > 0) {
        note(spec.family, "roundTrips");
        await stats.time(spec.family, "fill", () => store.set(plain));
      }
    } catch {
      stats.record(spec.family, "error");
    }
  }

  return { load };
}
