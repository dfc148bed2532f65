import { randomBytes } from "node:crypto";

/**
 * The narrow storage interface under the cache layer, with two adapters beside it:
 * `redis-store.ts` (shared across gateway instances) and `memory-store.ts` (one process), and a
 * wrapper, `resilient-store.ts`, that turns an unreachable store into misses.
 *
 * Leases guard DESIGN.md's promise 2 (no stale set), as in "Scaling Memcache at Facebook":
 * a reader that misses is granted a token, reads the database, and its fill is stored only if the
 * token still holds. `del` and `set` remove the lease, so a fill that read the database before a
 * write committed can never land after that write's invalidation.
 */

/**
 * One key's answer to `getOrLease`:
 * - `hit`: the cached value;
 * - `lease`: a miss, and this caller holds the lease: load from the database, then `setLeased`;
 * - `busy`: a miss, and another caller holds an unexpired lease: wait and read again, or load
 *   without filling;
 * - `bypass`: the cache is unavailable (only the resilient wrapper answers this): load from the
 *   database and do not fill.
 */
export type LeaseRead =
  | { kind: "hit"; value: string }
  | { kind: "lease"; token: string }
  | { kind: "busy" }
  | { kind: "bypass" };

/** A write that lands only if the key's lease still holds `token`. */
export interface LeasedEntry {
  key: string;
  value: string;
  /** Time to live in seconds (fractions allowed, stored to the millisecond); must be > 0. */
  ttlSeconds: number;
  token: string;
}

/** An unconditional write. */
export interface StoreEntry {
  key: string;
  value: string;
  /** Time to live in seconds (fractions allowed, stored to the millisecond); must be > 0. */
  ttlSeconds: number;
}

/**
 * A value kept with a version vector (the whole-response cache's entries): served by
 * `getVersioned` only while every counter it names still holds the value it names.
 */
export interface VersionedEntry extends StoreEntry {
  /**
   * [counter key, value] pairs, values as `incr` leaves them ("0" for a counter never moved).
   * The counters must share `key`'s Redis Cluster hash tag: the check reads them in one script.
   */
  versions: [string, string][];
  /**
   * [group epoch key, value] pairs read at the same instant as `versions` (`epochKeysOf`): while
   * they all hold, no write has moved any counter of `versions`, and a hit reads these alone.
   * Default none (every hit checks `versions`).
   */
  epochs?: [string, string][];
  /** Where the store may keep a later stamp of the entry (`responseStampKey`); cleared by this save. Default none. */
  stampKey?: string;
}

/**
 * Every call with at least one key costs exactly one round trip (on a Redis Cluster: one fan-out,
 * a pipeline to every node concerned, sent in parallel); a call with none costs none.
 */
export interface CacheStore {
  readonly name: "redis" | "memory";
  /** Values of `keys` in order, null where absent. One round trip. */
  mget(keys: string[]): Promise<(string | null)[]>;
  /**
   * The values of each group of keys, as `mget`, every group read after the one before it: a write
   * that lands between two groups is seen by every later group. The whole-response cache's save
   * reads its version counters, then the values it must find unchanged, and that order is its
   * guard. One round trip for a single Redis (a pipeline, which Redis runs in order) and in
   * process; an adapter that cannot keep the order in one trip (keys on several Cluster nodes)
   * must read the groups one after the other.
   */
  mgetInOrder(groups: string[][]): Promise<(string | null)[][]>;
  /**
   * For each key: its value; or, when absent, a new lease token granted to this caller (who
   * should load and fill it); or busy when another caller holds an unexpired lease. A key listed
   * twice is leased once and busy the second time, so callers pass distinct keys. Also returns the
   * plain values of `extraKeys` (generation counters) read in the same round trip.
   * `leaseTtlMs`: how long the lease blocks other fillers, in milliseconds. One round trip.
   */
  getOrLease(keys: string[], leaseTtlMs: number, extraKeys?: string[]): Promise<{ reads: LeaseRead[]; extra: (string | null)[] }>;
  /**
   * A lease on each key whether or not it holds a value (the refresh of an entry still being
   * served, stale-while-revalidate): a token where this caller now holds it, null where another
   * caller holds an unexpired one. `leaseTtlMs` as in `getOrLease`. One round trip.
   */
  lease(keys: string[], leaseTtlMs: number): Promise<(string | null)[]>;
  /**
   * Stores each value only if the key's lease still holds `token` (no `del` or `set` happened
   * since the lease was granted, and it has not expired), then releases the lease. Returns, per
   * entry, whether it was stored. One round trip.
   */
  setLeased(entries: LeasedEntry[]): Promise<boolean[]>;
  /**
   * Unconditional write of values (write-through after a commit). Also removes the keys' leases,
   * so a fill that read the database before the commit is rejected. One round trip.
   */
  set(entries: StoreEntry[]): Promise<void>;
  /** Deletes values AND their leases, so any fill in flight for them is rejected. One round trip. */
  del(keys: string[]): Promise<void>;
  /** Stores a versioned entry unconditionally (the caller validated what it was computed from). One round trip. */
  setVersioned(entry: VersionedEntry): Promise<void>;
  /**
   * The value of an entry stored with `setVersioned` if every counter it names still holds the
   * named value (an absent counter holds "0"), else null. One round trip, checked inside the
   * store: its work grows with the vector's length, never with anything else.
   */
  getVersioned(key: string, stampKey?: string): Promise<string | null>;
  /**
   * As `getVersioned`, answering what a near copy of the entry is later checked against without
   * the store (src/response-cache.ts): the whole entry as stored, and the values its check read.
   * Only a Redis store has it (the near tier runs over one). One round trip.
   */
  readVersioned?(key: string, stampKey: string): Promise<VersionedRead | null>;
  /**
   * A write's invalidation: deletes `del` (values and their leases, as `del`), increments the
   * counters `incr`, and only once both are applied everywhere, the counters `after` (the
   * whole-response cache's version counters), which validate kept responses alone: a DEL that
   * landed without its INCRs would leave a kept response valid over a changed row.
   * One Redis: one transaction, all or nothing, in this order, one round trip. A Redis Cluster: one
   * atomic script per slot, `del` and `incr` in parallel on every node, then `after` likewise (two
   * round trips); a failure anywhere throws, and the caller replays the whole footprint (every step
   * may be applied again: a DEL or an INCR more only retires more).
   */
  invalidate(del: string[], incr: string[], after?: string[]): Promise<void>;
  /**
   * Raises each key to at least `value`, kept without a TTL: the replica marks of
   * src/cache/replica-marks.ts (commit positions written as 16 hex digits). `value` must be 16
   * upper-case hex digits; a key holding a smaller one (or nothing) is set to it. One round trip.
   */
  raise(keys: string[], value: string): Promise<void>;
  /** Increments counters (generations), returning the new values; counters never expire by TTL. One round trip. */
  incr(keys: string[]): Promise<number[]>;
  /** Remaining TTL in seconds of a key (-2 absent, -1 no TTL), for tests and admin. */
  ttl(key: string): Promise<number>;
  /** Memory used and number of keys if cheaply known (Redis: INFO memory + DBSIZE, the whole database; summed over a cluster's masters), for Query.cacheStats. */
  info(): Promise<{ usedMemoryBytes: number | null; keyCount: number | null }>;
  /** Liveness probe for readiness checks; never throws. */
  ping(): Promise<boolean>;
  /** Round trips made so far (pipelines and scripts count one each), for tests and traces. */
  readonly roundTrips: number;
  close(): Promise<void>;
}

/** Options both adapters accept. */
export interface StoreOptions {
  /**
   * Guard fills with the lease (default true). false makes `setLeased` store unconditionally:
   * it exists only so a test can show the stale-set race the guard closes.
   */
  guardWrites?: boolean;
}

/**
 * The key holding `key`'s lease. It shares the value key's text, and keys.ts puts the value key in
 * a hash tag (`{…}`), so both land in one Redis Cluster slot; "#" never
 * occurs in a built key (keys.ts encodes free text), so a lease key cannot be a value key.
 */
export function leaseKeyOf(key: string): string {
  return `${key}#lease`;
}

/** Whether `key` is a lease key (`leaseKeyOf`), which holds no value. */
export function isLeaseKey(key: string): boolean {
  return key.endsWith("#lease");
}

/** A token base unique to one `getOrLease` call; entry i gets `<base>.<i>`. */
export function newTokenBase(): string {
  return randomBytes(12).toString("base64url");
}

/** The TTL in whole milliseconds; a non-positive or non-finite TTL is a bug in the caller. */
export function ttlMsOf(ttlSeconds: number, key: string): number {
  const ms = Math.round(ttlSeconds * 1000);
  if (!Number.isFinite(ttlSeconds) || ms < 1) {
    throw new RangeError(`ttlSeconds must be a positive number of seconds, got ${ttlSeconds} for ${key}`);
  }
  return ms;
}

/** Validates a lease TTL in milliseconds. */
export function leaseTtlMsOf(leaseTtlMs: number): number {
  if (!Number.isSafeInteger(leaseTtlMs) || leaseTtlMs < 1) {
    throw new RangeError(`leaseTtlMs must be a positive integer of milliseconds, got ${leaseTtlMs}`);
  }
  return leaseTtlMs;
}

/** What `readVersioned` found valid: the entry, and the state of the counters it was checked against. */
export interface VersionedRead {
  /** The entry as stored (`encodeVersioned`). */
  raw: string;
  /** Its group epochs' values at the check, in the entry's order ("0" for an absent counter); empty for an entry without epochs. */
  epochsNow: string[];
  /** Whether its stamp key holds `epochsNow` joined by " " after the check (a full check saw its vector unchanged at those epochs). */
  stamped: boolean;
  /**
   * Its version counters' values at the check, in the entry's order ("0" for an absent counter),
   * whichever check validated it (equal to those stored with it, unless a counter was lost).
   */
  versionsNow: string[];
}

/**
 * A versioned entry as stored: its vector as JSON on the first line, then the value. JSON.stringify
 * never writes a raw newline, so the first "\n" ends the vector whatever the value holds.
 */
export function encodeVersioned(versions: [string, string][], value: string, epochs: [string, string][] = []): string {
  return `E${JSON.stringify(epochs)}\n${JSON.stringify(versions)}\n${value}`;
}

/** The parts of a stored versioned entry; null if `raw` is not one. */
export function decodeVersioned(raw: string): { versions: [string, string][]; epochs: [string, string][]; value: string } | null {
  // Entries stored before group epochs: the vector alone on the first line.
  const withEpochs = raw.startsWith("E");
  const first = raw.indexOf("\n");
  const second = withEpochs ? raw.indexOf("\n", first + 1) : first;
  if (first < 0 || second < 0) return null;
  try {
    const epochs = withEpochs ? (JSON.parse(raw.slice(1, first)) as [string, string][]) : [];
    const versions = JSON.parse(raw.slice(withEpochs ? first + 1 : 0, second)) as [string, string][];
    return Array.isArray(versions) && Array.isArray(epochs) ? { versions, epochs, value: raw.slice(second + 1) } : null;
  } catch {
    return null;
  }
}

/** A value `raise` accepts: 16 upper-case hex digits (a PostgreSQL LSN, zero-padded). */
export function raisedValueOf(value: string): string {
  if (!/^[0-9A-F]{16}$/.test(value)) throw new RangeError(`raise takes 16 upper-case hex digits, got ${JSON.stringify(value)}`);
  return value;
}
