import { LRUCache } from "lru-cache";
import {
  decodeVersioned,
  encodeVersioned,
  leaseTtlMsOf,
  newTokenBase,
  raisedValueOf,
  ttlMsOf,
  type CacheStore,
  type LeaseRead,
  type StoreOptions,
} from "./store";

/**
 * The in-process store of the embedded mode: one process, so it is its own source of truth, with
 * the same lease semantics as Redis (it passes the same contract suite). Calls complete in one
 * step of the event loop, which makes each as atomic as the Redis scripts.
 */

export interface MemoryStoreOptions extends StoreOptions {
  /** Most cached values kept; the least recently used go first. Default 10000. Leases are bounded alike. */
  maxEntries?: number;
}

/** Default of `MemoryStoreOptions.maxEntries`. */
export const defaultMemoryMaxEntries = 10_000;

/** A bounded LRU CacheStore in this process (guardWrites default true, maxEntries default 10000). */
export function createMemoryStore(options: MemoryStoreOptions = {}): CacheStore {
  const guardWrites = options.guardWrites ?? true;
  const max = options.maxEntries ?? defaultMemoryMaxEntries;
  const values = new LRUCache<string, string>({ max });
  // An evicted lease only rejects its fill, which is safe.
  const leases = new LRUCache<string, string>({ max });
  // Counters live outside the LRU: evicting a generation would restart it at 1 and bring retired
  // entries that embed an old generation back to life.
  const counters = new Map<string, number>();
  // Replica marks (`raise`), likewise never evicted: a lost mark would let a fill read a lagging replica.
  const marks = new Map<string, string>();
  let roundTrips = 0;

  const get = (key: string): string | null => {
    const mark = marks.get(key);
    if (mark !== undefined) return mark;
    const counter = counters.get(key);
    return counter !== undefined ? String(counter) : (values.get(key) ?? null);
  };
  const put = (key: string, value: string, ttlMs: number) => {
    counters.delete(key);
    values.set(key, value, { ttl: ttlMs });
  };
  // Every TTL is checked before anything is written, as the Redis store does.
  const ttlsOf = (entries: { key: string; ttlSeconds: number }[]) => entries.map((e) => ttlMsOf(e.ttlSeconds, e.key));
  const remove = (keys: string[]) => {
    for (const key of keys) {
      values.delete(key);
      leases.delete(key);
      counters.delete(key);
    }
  };
  const increment = (keys: string[]) =>
    keys.map((key) => {
      const current = get(key) ?? "0";
      if (!/^-?\d+$/.test(current)) throw new Error(`Cannot INCR ${key}: its value ${JSON.stringify(current)} is not an integer`);
      const next = Number(current) + 1;
      values.delete(key);
      counters.set(key, next);
      return next;
    });
  const trip = (n: number) => {
    if (n > 0) roundTrips += 1;
  };

  return {
    name: "memory",
    get roundTrips() {
      return roundTrips;
    },

    async mget(keys) {
      trip(keys.length);
      return keys.map(get);
    },

    async getOrLease(keys, leaseTtlMs, extraKeys = []) {
      const ttl = leaseTtlMsOf(leaseTtlMs);
      trip(keys.length + extraKeys.length);
      const base = newTokenBase();
      const reads = keys.map((key, i): LeaseRead => {
        const value = get(key);
        if (value !== null) return { kind: "hit", value };
        if (leases.get(key) !== undefined) return { kind: "busy" };
        const token = `${base}.${i + 1}`;
        leases.set(key, token, { ttl });
        return { kind: "lease", token };
      });
      return { reads, extra: extraKeys.map(get) };
    },

    async lease(keys, leaseTtlMs) {
      const ttl = leaseTtlMsOf(leaseTtlMs);
      trip(keys.length);
      const base = newTokenBase();
      return keys.map((key, i) => {
        if (leases.get(key) !== undefined) return null;
        const token = `${base}.${i + 1}`;
        leases.set(key, token, { ttl });
        return token;
      });
    },

    async setLeased(entries) {
      const ttlsMs = ttlsOf(entries);
      trip(entries.length);
      return entries.map((e, i) => {
        // The guard: a del, a set or the lease's expiry since the grant rejects this fill.
        if (guardWrites && leases.get(e.key) !== e.token) return false;
        put(e.key, e.value, ttlsMs[i]);
        leases.delete(e.key);
        return true;
      });
    },

    async set(entries) {
      const ttlsMs = ttlsOf(entries);
      trip(entries.length);
      entries.forEach((e, i) => {
        leases.delete(e.key);
        put(e.key, e.value, ttlsMs[i]);
      });
    },

    async mgetInOrder(groups) {
      if (groups.every((group) => group.length === 0)) return groups.map(() => []);
      trip(1);
      return groups.map((group) => group.map(get));
    },

    async setVersioned(entry) {
      const ttlMs = ttlMsOf(entry.ttlSeconds, entry.key);
      trip(1);
      leases.delete(entry.key);
      put(entry.key, encodeVersioned(entry.versions, entry.value, entry.epochs), ttlMs);
    },

    // In process the whole vector is checked on every hit (no stamp): the same answers, no round trip to save.
    async getVersioned(key) {
      trip(1);
      const raw = get(key);
      const entry = raw === null ? null : decodeVersioned(raw);
      if (!entry) return null;
      return entry.versions.every(([counter, value]) => (get(counter) ?? "0") === value) ? entry.value : null;
    },

    async del(keys) {
      trip(keys.length);
      remove(keys);
    },

    async invalidate(del, incr, after = []) {
      trip(del.length + incr.length + after.length);
      remove(del);
      increment(incr);
      increment(after);
    },

    async raise(keys, value) {
      const checked = raisedValueOf(value);
      trip(keys.length);
      // Fixed-width hex: string order is numeric order. Kept beside the counters: never evicted.
      for (const key of keys) {
        const current = marks.get(key);
        if (current === undefined || current < checked) marks.set(key, checked);
      }
    },

    async incr(keys) {
      trip(keys.length);
      return increment(keys);
    },

    async ttl(key) {
      trip(1);
      if (counters.has(key) || marks.has(key)) return -1;
      if (!values.has(key)) return -2;
      const remainingMs = values.getRemainingTTL(key);
      // Redis rounds TTL to the nearest second.
      return Number.isFinite(remainingMs) ? Math.round(remainingMs / 1000) : -1;
    },

    async info() {
      trip(1);
      return { usedMemoryBytes: null, keyCount: values.size + counters.size + marks.size };
    },

    async ping() {
      trip(1);
      return true;
    },

    async close() {
      values.clear();
      leases.clear();
      counters.clear();
    },
  };
}
