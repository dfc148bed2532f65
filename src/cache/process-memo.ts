import type { CacheKeys, Family } from "./keys";
import type { CacheStore } from "./store";
import { exactVersionKeyOf } from "./version-vector";

/**
 * A large entry read whole on every request (the category tree, ~200 KiB on the real catalog), kept
 * decoded in this process while two small counters say it has not changed, so a warm read costs one
 * MGET of two counters instead of a GET of the whole entry.
 *
 * The validators are the counters a write moves when the entry changes or is retired:
 * - the entry's exact version counter (`{resp}:v:=<key>`), which every invalidation that deletes
 *   the entry INCRs in the same transaction as the DEL (src/cache/invalidation.ts, the outbox replay
 *   alike), whether or not whole responses are kept;
 * - the family's generation (`gen:<family>`), which invalidateCache moves and the entry's stamp names.
 *
 * Why it is never stale: the validators are read BEFORE the value is obtained (from the store, or
 * from the database after a miss), so the value is at least as new as any write whose invalidation
 * the validators reflect; a later write moves a validator, and the next read misses the memo. A memo
 * a slow request writes late carries the validators it read, older ones: it only misses more.
 *
 * Why a memo is never served when the store cannot be read: the resilient store answers an MGET
 * with nulls when Redis is down or this instance is fenced (it cannot hear invalidations), and a memo
 * validated by nulls would then be served while writes go unseen. So the first validator, the
 * version counter, must be present: one MGET is atomic, so a present value proves the store
 * answered, and then an absent generation is a genuine "0". A version counter never moved is absent:
 * the slow path creates it with INCR (absent -> 1 retires only whole responses that read the entry,
 * once per Redis lifetime; the entry itself is not retired, its stamp names the generation only),
 * and an INCR throws when the store is down: then no memo is kept.
 */
export interface ProcessMemo<V> {
  /** The memoized value, the validator values it was obtained under, and the raw entry text it came from (when it came from the store as observed). */
  current: { validators: string[]; value: V; raw: string | undefined } | null;
}

/** An empty memo; created once per process by the composition root, shared by every request. */
export function createProcessMemo<V>(): ProcessMemo<V> {
  return { current: null };
}

/** The counters that validate a memo of `cacheKey` in `family` (see ProcessMemo). */
export function memoValidatorKeys(keys: CacheKeys, family: Family, cacheKey: string): string[] {
  return [exactVersionKeyOf(keys, cacheKey), keys.generationKey(family)];
}

/**
 * The validators' values as a memo is kept under: the version counter created (INCR) when absent, an
 * absent generation "0"; null if the store refused (no memo may be kept).
 */
export async function settleValidators(
  store: CacheStore,
  validatorKeys: string[],
  values: (string | null)[],
  call: <T>(storeCall: () => Promise<T>) => Promise<T>,
): Promise<string[] | null> {
  let [version] = values;
  if (version === null) {
    try {
      [version] = (await call(() => store.incr([validatorKeys[0]]))).map(String);
    } catch {
      return null;
    }
  }
  return [version, ...values.slice(1).map((value) => value ?? "0")];
}

/** Whether `memo` holds a value obtained under exactly `values`, read from the store (the version counter present). */
export function memoMatches<V>(memo: ProcessMemo<V>, values: (string | null)[]): boolean {
  const current = memo.current;
  return current !== null && values[0] !== null && values.every((value, i) => (value ?? "0") === current.validators[i]);
}
