import { LRUCache } from "lru-cache";
import type { CacheStore } from "./store";

/**
 * The near tier's memory: raw store values of this process's hottest keys, bounded in bytes, with
 * the bookkeeping that keeps a value read before an invalidation from being kept after it.
 * Who feeds it and when it may be read is src/cache/near-tier.ts; this file holds no connection.
 *
 * The fill race (a reader's store read answered, an invalidation of that key processed, then the
 * reader keeps what it read): every invalidation takes the next sequence number and records it
 * per key; a reader takes a `ticket` (the current number) before it sends its read, and `keep`
 * refuses a key invalidated after that ticket. A flush moves a floor above every ticket taken
 * before it. The per-key record only has to outlive reads in flight, so it is cleared (and the
 * floor moved, refusing those reads) when it grows past `maxTrackedInvalidations`.
 */

/** One value held near. */
export interface NearEntry {
  /** The value as the store holds it; null: the key is absent there (generation counters only). */
  readonly text: string | null;
  /**
   * What the read path derived from `text` (src/cache/lease-read.ts: the decoded entry and value),
   * computed once while the entry is held and shared by every request that reads it: read-only.
   */
  memo?: unknown;
}

export interface NearCacheOptions {
  /** Bound on the memory held, bytes, as estimated by `nearEntryBytes`. Required. */
  maxBytes: number;
  /** A value is dropped this long after it was kept, ms, even if no invalidation came (Redis's own TTL is not known here). Default 60000. */
  maxAgeMs?: number;
  /** Per-key invalidation records kept for reads in flight before they are cleared at once. Default 100000. */
  maxTrackedInvalidations?: number;
  /** Fault injection (tests only): `invalidate` does nothing, so a test can show the stale reads it prevents. Default false. */
  ignoreInvalidations?: boolean;
}

/** Default memory bound, bytes (NEAR_CACHE_MAX_BYTES): 64 MiB. */
export const defaultNearCacheMaxBytes = 64 * 1024 * 1024;

/** Defaults of `NearCacheOptions`. */
export const defaultNearCacheOptions = { maxAgeMs: 60_000, maxTrackedInvalidations: 100_000 } as const;

/** Counts since start, for Query.cacheStats and /metrics. */
export interface NearCounters {
  /** Keys answered near (entries and generation counters). */
  hits: number;
  /** Keys looked up near and not held. */
  misses: number;
  /** Keys kept after a store read. */
  kept: number;
  /** Keys whose keep was refused: an invalidation (or a flush) came after the read was sent. */
  refused: number;
  /** Keys invalidated (by Redis's messages, or by this process's own writes). */
  invalidations: number;
  /** Times everything was dropped (tracking lost or regained, the store's circuit not closed, FLUSHDB). */
  flushes: number;
}

export interface NearCache {
  /** The entry held for `key`, if any. Counts a hit or a miss. */
  get(key: string): NearEntry | undefined;
  /** The number a reader takes before it sends a store read whose answers it may keep; -1 when nothing may be kept now. */
  ticket(): number;
  /** Keeps `text` for `key` if no invalidation of it (and no flush) came after `ticket` was taken. Returns whether it was kept. */
  keep(ticket: number, key: string, text: string | null): boolean;
  /** Drops `keys` and refuses their keeps in flight. */
  invalidate(keys: Iterable<string>): void;
  /** Drops everything and refuses every keep in flight. */
  flush(): void;
  /**
   * Whether values may be kept: true only while the invalidation channel is known to be up. Set
   * false, everything is flushed and no ticket is given until it is set true again.
   */
  accepting: boolean;
  readonly counters: Readonly<NearCounters>;
  /** Entries and their estimated bytes now. */
  readonly size: { entries: number; bytes: number };
}

// A JS string costs about one byte a character (two for non-Latin-1); the map, the LRU's slots and
// the entry object add about this much. The text is counted twice: the decoded value kept beside it
// (NearEntry.memo) is about as large again.
const entryOverheadBytes = 160;

/** The bytes `entry` is charged for in the bound. */
export function nearEntryBytes(key: string, text: string | null): number {
  return entryOverheadBytes + key.length + 2 * (text?.length ?? 0);
}

/** An empty near cache (not accepting until told so). */
export function createNearCache(options: NearCacheOptions): NearCache {
  const maxAgeMs = options.maxAgeMs ?? defaultNearCacheOptions.maxAgeMs;
  const maxTracked = options.maxTrackedInvalidations ?? defaultNearCacheOptions.maxTrackedInvalidations;
  const entries = new LRUCache<string, NearEntry>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry, key) => nearEntryBytes(key, entry.text),
    ttl: maxAgeMs,
    // Age is checked on read; no timer per entry.
    ttlAutopurge: false,
    updateAgeOnGet: false,
  });
  const counters: NearCounters = { hits: 0, misses: 0, kept: 0, refused: 0, invalidations: 0, flushes: 0 };
  let sequence = 0;
  let floor = 0;
  let accepting = false;
  const invalidatedAt = new Map<string, number>();

  function flush(): void {
    sequence += 1;
    floor = sequence;
    invalidatedAt.clear();
    entries.clear();
    counters.flushes += 1;
  }

  return {
    get(key) {
      const entry = entries.get(key);
      if (entry) counters.hits += 1;
      else counters.misses += 1;
      return entry;
    },
    ticket: () => (accepting ? sequence : -1),
    keep(ticket, key, text) {
      if (ticket < floor || (invalidatedAt.get(key) ?? -1) > ticket) {
        counters.refused += 1;
        return false;
      }
      entries.set(key, { text });
      counters.kept += 1;
      return true;
    },
    invalidate(keys) {
      if (options.ignoreInvalidations) return;
      sequence += 1;
      for (const key of keys) {
        invalidatedAt.set(key, sequence);
        entries.delete(key);
        counters.invalidations += 1;
      }
      if (invalidatedAt.size > maxTracked) {
        // Forgetting which keys moved: refuse every keep in flight instead (their tickets are below `sequence`).
        invalidatedAt.clear();
        floor = sequence;
      }
    },
    flush,
    get accepting() {
      return accepting;
    },
    set accepting(value: boolean) {
      // Either way nothing held may be trusted: what was kept before tracking (re)started, or
      // what tracking can no longer invalidate.
      flush();
      accepting = value;
    },
    get counters() {
      return counters;
    },
    get size() {
      return { entries: entries.size, bytes: entries.calculatedSize };
    },
  };
}

/**
 * `store` whose writes also drop what they change from `near`, once the store call settled: the
 * writing request's later reads (after-write.ts) then go to the store, while Redis's message for
 * the same write reaches every instance, this one included, for requests that start later.
 */
export function withNearEviction(store: CacheStore, near: NearCache): CacheStore {
  const evicting =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>, keysOf: (...args: A) => string[]) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } finally {
        near.invalidate(keysOf(...args));
      }
    };
  return {
    name: store.name,
    get roundTrips() {
      return store.roundTrips;
    },
    mget: (keys) => store.mget(keys),
    // The response cache's save checks what Redis holds, never a near copy.
    mgetInOrder: (groups) => store.mgetInOrder(groups),
    getOrLease: (keys, leaseTtlMs, extraKeys) => store.getOrLease(keys, leaseTtlMs, extraKeys),
    lease: (keys, leaseTtlMs) => store.lease(keys, leaseTtlMs),
    getVersioned: (key, stampKey) => store.getVersioned(key, stampKey),
    ...(store.readVersioned ? { readVersioned: store.readVersioned.bind(store) } : {}),
    // A save replaces the entry and drops its stamp (a full check's stamp written by a read is not evicted: it only adds a valid state).
    setVersioned: evicting(store.setVersioned.bind(store), (entry) => [entry.key, ...(entry.stampKey ? [entry.stampKey] : [])]),
    ttl: (key) => store.ttl(key),
    info: () => store.info(),
    ping: () => store.ping(),
    close: () => store.close(),
    // Replica marks are never near-cached (not a read-path family): nothing to evict.
    raise: (keys, value) => store.raise(keys, value),
    setLeased: evicting(store.setLeased.bind(store), (entries) => entries.map((e) => e.key)),
    set: evicting(store.set.bind(store), (entries) => entries.map((e) => e.key)),
    del: evicting(store.del.bind(store), (keys) => keys),
    incr: evicting(store.incr.bind(store), (keys) => keys),
    // The version counters too (`after`): kept near copies of them validate whole responses.
    invalidate: evicting(store.invalidate.bind(store), (del, incr, after = []) => [...del, ...incr, ...after]),
  };
}
