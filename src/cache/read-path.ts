import type { ReadRepositories } from "../data/read-replicas";
import type { Codec } from "./codec";
import type { Stamps } from "./entry-codec";
import type { Family } from "./keys";
import type { NearSession } from "./near-tier";
import type { CacheEvent } from "./stats";
import type { CacheStore } from "./store";

/**
 * What the steps of the read path share (read-through.ts runs them): a family's spec, the options,
 * the record of one key on its way, and one family's read in one request.
 */

/** What a loader declares about a family; read-through.ts explains how each part is used. */
export interface FamilySpec<K, V> {
  family: Family;
  /** The full cache key of `key`, from the key builders. */
  key(key: K): string;
  ttlSeconds: number;
  /** Cache misses (null) this long; unset: a null is not cached. */
  negativeTtlSeconds?: number;
  codec: Codec<V>;
  /**
   * One query for all the keys; results in key order, null where missing. `on`: the repositories
   * of a read replica the fill may read (replica-fills.ts); absent, the primary's.
   */
  load(keys: readonly K[], on?: ReadRepositories): Promise<(V | null)[]>;
  /** `load` reads through the `on` it is handed, so its fills may read a replica. Default false: the primary. */
  replicaReads?: boolean;
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
  /**
   * Stale-while-revalidate grace per family, seconds (CACHE_SWR_SECONDS, CACHE_SWR_<FAMILY>_SECONDS):
   * an entry past its TTL that no write retired is still served for this long, while one refresh
   * (under the key's lease, so one across every instance) reads it again. A family absent or 0:
   * off, the entry expires at its TTL. Default: off for every family.
   */
  swrSeconds?: Partial<Record<Family, number>>;
  /** The clock of soft expiries, epoch ms. Default Date.now; tests drive it. */
  now?: () => number;
  /** Fault injection (tests only): a pause between a fill's database read and its write-back, ms. Default 0. */
  fillDelayMs?: number;
}

export const defaultReadThroughOptions: ReadThroughOptions = {
  leaseTtlMs: 5000,
  leaseWaitMs: 150,
  leaseRetryMs: 15,
  ttlJitter: 0.1,
};

/** The stale-while-revalidate grace of `family` under `options`, seconds (0: off). */
export function swrSecondsOf(options: ReadThroughOptions, family: Family): number {
  return options.swrSeconds?.[family] ?? 0;
}

/** Now, epoch ms, on the options' clock. */
export function nowMs(options: ReadThroughOptions): number {
  return (options.now ?? Date.now)();
}

/** One requested key: its position in the batch, the key, and its full cache key. */
export interface Slot<K> {
  index: number;
  key: K;
  cacheKey: string;
}

/** A key to load from the database, with the lease its fill is written under (null: none). */
export interface Miss<K> extends Slot<K> {
  token: string | null;
}

/** A miss and what the database answered for it. */
export interface Loaded<K, V> extends Miss<K> {
  value: V | null;
}

/** One family's read in one request: its spec, store and options, and where its counts go. */
export interface FamilyRead<K, V> {
  spec: FamilySpec<K, V>;
  store: CacheStore;
  options: ReadThroughOptions;
  /** The request's view of the near tier; null: none (off, or not Redis). */
  near: NearSession | null;
  stamps: Stamps<K>;
  /** Counts `n` (default 1) events of the family in the process's stats. */
  record(event: CacheEvent, n?: number): void;
  /** Counts `n` (default 1) hits or misses of the family in the request's trace. */
  note(field: "hits" | "misses", n?: number): void;
  /** Makes one store call: a round trip in the request's trace, timed in the stats as `operation` if given. */
  call<T>(storeCall: () => Promise<T>, operation?: "read" | "fill"): Promise<T>;
  /** Remembers a raw value read from the store (CacheTrace.observed). */
  observe(key: string, value: string): void;
}
