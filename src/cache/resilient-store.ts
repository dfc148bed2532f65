import { createCircuitBreaker, defaultCircuitBreakerOptions, type CircuitState } from "./circuit-breaker";
import type { CacheStore, LeaseRead } from "./store";

/**
 * DESIGN.md's promise 6: when the store is slow or down, requests still succeed from the database.
 * This wrapper puts a circuit breaker and a per-call timeout around any CacheStore and degrades:
 * - reads become misses: `mget` answers nulls, `getOrLease` answers `{ kind: "bypass" }` for every
 *   key (load from the database, do not fill) and nulls for the extra keys;
 * - fills and write-through are dropped: `set` and `setVersioned` resolve, `setLeased` throws
 *   `CacheUnavailableError` (so the read path counts an error, not a fill its lease guard refused);
 *   `getVersioned` answers null;
 * - invalidations (`del`, `incr`, `invalidate`, and `raise`, the replica marks written before them) throw `CacheUnavailableError`: the caller must know the
 *   invalidation did not happen, so it keeps it in the outbox and replays it.
 * A failed invalidation also opens the circuit at once (unless `tripOnInvalidationFailure` is
 * false): the cache may now hold what the invalidation should have removed, so no read may come
 * from it until the probe has succeeded and `onRecover` (the outbox replay) has run.
 * A timed-out call may still land in the store later. For an invalidation that is harmless (DEL is
 * idempotent, and an INCR replayed from the outbox only retires one more generation); for a
 * `getOrLease`, a lease may be left behind, making other readers see `busy` until it expires.
 */

export interface ResilientStoreOptions {
  /** Consecutive failed or timed-out calls that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Milliseconds the circuit stays open before a probe (ping, then onRecover). Default 2000. */
  coolDownMs?: number;
  /** A call that has not settled after this many milliseconds counts as failed; it backs up the client's own command timeout. Default 500. */
  callTimeoutMs?: number;
  /** Open the circuit on the first failed `del` or `incr`. Default true. */
  tripOnInvalidationFailure?: boolean;
  /** Runs after a successful probe, before the circuit closes (replay the invalidation outbox here); a throw keeps it open. Default none. */
  onRecover?: () => Promise<void>;
  /** Told of every state change, for logs and metrics. */
  onStateChange?: (state: CircuitState) => void;
}

/** Defaults of `ResilientStoreOptions`. */
export const defaultResilientStoreOptions = {
  ...defaultCircuitBreakerOptions,
  callTimeoutMs: 500,
  tripOnInvalidationFailure: true,
} as const;

/** Counts since the wrapper was created. */
export interface ResilienceCounters {
  /** Calls that reached the store and failed or timed out. */
  failures: number;
  /** Of those, calls that timed out. */
  timeouts: number;
  /** Calls answered without reaching the store because the circuit was not closed. */
  rejected: number;
  /** Times the circuit opened. */
  openings: number;
}

export interface ResilientStore extends CacheStore {
  readonly state: CircuitState;
  readonly counters: ResilienceCounters;
  /**
   * With a reason: opens the circuit and keeps it open (reads go to the database) until called
   * with null; the circuit then closes after its next probe, which replays the outbox first. For a
   * state the store cannot see itself: this instance cannot hear other instances' invalidations,
   * or it reconnected and has not yet checked that the server is the one it knew.
   */
  fence(source: string, reason: string | null): void;
  /** Why the store is fenced (the first reason of any source), or null. */
  readonly fencedBy: string | null;
}

/** Whether values read from `store` may be trusted now: any store but a resilient one whose circuit is not closed (the near cache reads near values only then). */
export function usableStore(store: CacheStore): boolean {
  return !isResilientStore(store) || store.state === "closed";
}

/** Whether `store` is a resilient wrapper (it can be fenced). */
export function isResilientStore(store: CacheStore): store is ResilientStore {
  return typeof (store as Partial<ResilientStore>).fence === "function";
}

/** An invalidation (or another call whose answer cannot be faked) did not reach the cache. */
export class CacheUnavailableError extends Error {
  override readonly name = "CacheUnavailableError";
  constructor(
    readonly operation: "del" | "incr" | "invalidate" | "raise" | "ttl" | "setLeased" | "mgetInOrder",
    readonly keys: string[],
    cause?: unknown,
  ) {
    const reason = cause === undefined ? "the circuit is open" : cause instanceof Error ? cause.message : String(cause);
    super(`Cache ${operation} of ${keys.length} key(s) did not happen (${reason}); first key: ${keys[0] ?? "none"}`, { cause });
  }
}

class CallTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Cache call did not settle within ${timeoutMs} ms`);
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error?: unknown };

/** `store` behind a circuit breaker (see ResilientStoreOptions for the defaults). */
export function createResilientStore(store: CacheStore, options: ResilientStoreOptions = {}): ResilientStore {
  const callTimeoutMs = options.callTimeoutMs ?? defaultResilientStoreOptions.callTimeoutMs;
  const tripOnInvalidationFailure = options.tripOnInvalidationFailure ?? defaultResilientStoreOptions.tripOnInvalidationFailure;
  const counters = { failures: 0, timeouts: 0, rejected: 0 };
  // Each source (the invalidation listener, the connection's server check) fences on its own.
  const fences = new Map<string, string>();
  const breaker = createCircuitBreaker({
    failureThreshold: options.failureThreshold,
    coolDownMs: options.coolDownMs,
    onStateChange: options.onStateChange,
    probe: async () => {
      if (fences.size > 0) return false;
      if (!(await withTimeout(store.ping(), callTimeoutMs))) return false;
      await options.onRecover?.();
      return true;
    },
  });

  async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
    if (!breaker.allows()) {
      counters.rejected += 1;
      return { ok: false };
    }
    try {
      const value = await withTimeout(call(), callTimeoutMs);
      breaker.recordSuccess();
      return { ok: true, value };
    } catch (error) {
      // A RangeError is the caller's bug (a bad TTL), not an outage: it must surface.
      if (error instanceof RangeError) throw error;
      counters.failures += 1;
      if (error instanceof CallTimeoutError) counters.timeouts += 1;
      breaker.recordFailure();
      return { ok: false, error };
    }
  }

  async function invalidate<T>(operation: "del" | "incr" | "invalidate" | "raise", keys: string[], call: () => Promise<T>): Promise<T> {
    const outcome = await attempt(call);
    if (outcome.ok) return outcome.value;
    if (tripOnInvalidationFailure) breaker.trip();
    throw new CacheUnavailableError(operation, keys, outcome.error);
  }

  return {
    name: store.name,
    get roundTrips() {
      return store.roundTrips;
    },
    get state() {
      return breaker.state;
    },
    get counters() {
      return { ...counters, openings: breaker.openings };
    },
    get fencedBy() {
      return fences.values().next().value ?? null;
    },

    fence(source, reason) {
      if (reason === null) return void fences.delete(source);
      fences.set(source, reason);
      breaker.trip();
    },

    async mget(keys) {
      if (keys.length === 0) return [];
      const outcome = await attempt(() => store.mget(keys));
      return outcome.ok ? outcome.value : keys.map(() => null);
    },

    async mgetInOrder(groups) {
      if (groups.every((group) => group.length === 0)) return groups.map(() => []);
      // Nulls would read as "unchanged since nothing was there": the caller must know it read nothing.
      const outcome = await attempt(() => store.mgetInOrder(groups));
      if (outcome.ok) return outcome.value;
      throw new CacheUnavailableError("mgetInOrder", groups.flat(), outcome.error);
    },

    async getOrLease(keys, leaseTtlMs, extraKeys = []) {
      if (keys.length + extraKeys.length === 0) return { reads: [], extra: [] };
      const outcome = await attempt(() => store.getOrLease(keys, leaseTtlMs, extraKeys));
      if (outcome.ok) return outcome.value;
      return { reads: keys.map((): LeaseRead => ({ kind: "bypass" })), extra: extraKeys.map(() => null) };
    },

    async lease(keys, leaseTtlMs) {
      if (keys.length === 0) return [];
      const outcome = await attempt(() => store.lease(keys, leaseTtlMs));
      return outcome.ok ? outcome.value : keys.map(() => null);
    },

    async setLeased(entries) {
      if (entries.length === 0) return [];
      const outcome = await attempt(() => store.setLeased(entries));
      if (outcome.ok) return outcome.value;
      throw new CacheUnavailableError("setLeased", entries.map((entry) => entry.key), outcome.error);
    },

    async set(entries) {
      if (entries.length === 0) return;
      await attempt(() => store.set(entries));
    },

    async setVersioned(entry) {
      await attempt(() => store.setVersioned(entry));
    },

    async getVersioned(key, stampKey) {
      const outcome = await attempt(() => store.getVersioned(key, stampKey));
      return outcome.ok ? outcome.value : null;
    },

    ...(store.readVersioned
      ? {
          async readVersioned(key: string, stampKey: string) {
            const outcome = await attempt(() => store.readVersioned!(key, stampKey));
            return outcome.ok ? outcome.value : null;
          },
        }
      : {}),

    async del(keys) {
      if (keys.length === 0) return;
      await invalidate("del", keys, () => store.del(keys));
    },

    async incr(keys) {
      if (keys.length === 0) return [];
      return invalidate("incr", keys, () => store.incr(keys));
    },

    // A mark is part of an invalidation (replica-marks.ts): the writer must know it did not land.
    async raise(keys, value) {
      if (keys.length === 0) return;
      await invalidate("raise", keys, () => store.raise(keys, value));
    },

    async invalidate(del, incr, after = []) {
      if (del.length + incr.length + after.length === 0) return;
      await invalidate("invalidate", [...del, ...incr, ...after], () => store.invalidate(del, incr, after));
    },

    async ttl(key) {
      const outcome = await attempt(() => store.ttl(key));
      if (outcome.ok) return outcome.value;
      throw new CacheUnavailableError("ttl", [key], outcome.error);
    },

    async info() {
      const outcome = await attempt(() => store.info());
      return outcome.ok ? outcome.value : { usedMemoryBytes: null, keyCount: null };
    },

    async ping() {
      // Readiness follows the circuit: an open circuit means requests are not using the cache.
      if (!breaker.allows()) return false;
      try {
        return await withTimeout(store.ping(), callTimeoutMs);
      } catch {
        return false;
      }
    },

    async close() {
      breaker.dispose();
      await store.close();
    },
  };
}

// The late result of a timed-out call is dropped; its rejection is caught so it is not unhandled.
function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeoutError(timeoutMs)), timeoutMs);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
