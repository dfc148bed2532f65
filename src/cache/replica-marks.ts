import { createHash } from "node:crypto";
import { footprintOperations, type Footprint } from "./invalidation";
import type { CacheKeys } from "./keys";
import type { CacheStore } from "./store";

/**
 * Replica marks: where each write's commit is in the WAL, kept in the cache store beside the keys
 * it invalidates, so a fill can tell whether a read replica has replayed every write that touched
 * what it reads (src/cache/replica-fills.ts decides; src/data/read-replicas.ts knows the replicas).
 *
 * Granularity: per scope, hashed into `buckets` marks. A write's scopes are the keys its footprint
 * deletes or moves (`prod:7`, `prod:sku:X`, `gen:prods:cat:3`, `gen:search`, ...); a fill's scopes
 * are the keys its entries are guarded by (the entry's own key for a row, its generation counters
 * for a list). Both sides hash a scope to the same bucket, a bucket holds the highest position of
 * any write to any scope in it, so a fill that compares a replica with the highest mark of its
 * buckets is at least as strict as a mark per scope, in bounded memory (a few hundred KB of Redis,
 * whatever the catalog's size), and far less strict than one global "last write" mark: a replica
 * a second behind still serves every product, category and listing no write touched in that second.
 *
 * The base mark is a floor over all buckets: the primary's position when the marks (re)started. If
 * it is missing (a new store, a Redis that lost its data), the marks may have lost what writes
 * left: fills read the primary until the base is written again, from the primary's position then,
 * which is past every write committed before.
 */
export interface ReplicaMarks {
  /**
   * Before `footprint` is applied to the store: raises the marks of its scopes to `position` (the
   * primary's position after the write committed). Throws if the store did not take it; the
   * caller then keeps the invalidation pending, as when the invalidation itself fails.
   */
  record(store: CacheStore, footprint: Footprint, position: string): Promise<void>;
  /**
   * The position a replica must have replayed before it may serve a fill guarded by `scopeKeys`,
   * or null when the marks are not known (no base): the fill reads the primary. One round trip.
   * Call it after the fill's lease or generations were read (see replica-fills.ts).
   */
  required(store: CacheStore, scopeKeys: readonly string[]): Promise<string | null>;
  /** Writes the base from the primary's position now, if missing (concurrent calls share one); a store that is down drops it. */
  restoreBase(store: CacheStore, position: () => Promise<string>): Promise<void>;
}

/** How long a base mark lives, seconds: when it expires, fills read the primary until one writes it again. */
const BASE_TTL_SECONDS = 86_400;

/** Marks when nothing else is configured (REPLICA_MARK_BUCKETS). */
export const defaultReplicaMarkBuckets = 4096;

export function createReplicaMarks(keys: CacheKeys, buckets: number = defaultReplicaMarkBuckets): ReplicaMarks {
  if (!Number.isSafeInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  const baseKey = keys.replicaMarkKey("base");
  const markOf = (scopeKey: string) => keys.replicaMarkKey(createHash("sha1").update(scopeKey).digest().readUInt32BE(0) % buckets);
  let restoring: Promise<void> | null = null;

  return {
    async record(store, footprint, position) {
      const { del, incr } = footprintOperations(keys, footprint);
      const marks = [...new Set([...del, ...incr].map(markOf))];
      await store.raise(marks, position);
    },

    async required(store, scopeKeys) {
      const marks = [...new Set(scopeKeys.map(markOf))];
      const [base, ...values] = await store.mget([baseKey, ...marks]);
      if (base === null) return null;
      // Fixed-width hex: the largest string is the latest position.
      return values.reduce<string>((highest, value) => (value !== null && value > highest ? value : highest), base);
    },

    restoreBase(store, position) {
      // A plain SET, not `raise`: a store that is down must drop it, not count it as a failed
      // invalidation (the resilient store would keep its circuit open for as long as fills come).
      // Any position read after the base was found missing is a valid floor; its TTL only means
      // one more fill on the primary a day.
      restoring ??= (async () => {
        const [base] = await store.mget([baseKey]);
        if (base === null) await store.set([{ key: baseKey, value: await position(), ttlSeconds: BASE_TTL_SECONDS }]);
      })().finally(() => (restoring = null));
      return restoring;
    },
  };
}
