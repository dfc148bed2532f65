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
 * Why a null validator never matches: the resilient store answers an MGET with nulls when Redis is
 * down or this instance is fenced (it cannot hear invalidations), and a memo validated by nulls would
 * then be served while writes go unseen. A counter never moved is absent (null), so the slow path
 * creates it with INCR (0 -> 1: it only retires what depended on the counter, once per Redis
 * lifetime), and an INCR throws when the store is down: then no memo is kept.
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

/** Creates the absent validators (INCR from 0), returning every validator's value; null if the store refused. */
export async function createValidators(
  store: CacheStore,
  validatorKeys: string[],
  values: (string | null)[],
  call: <T>(storeCall: () => Promise<T>) => Promise<T>,
): Promise<string[] | null> {
  const absent = validatorKeys.filter((_, i) => values[i] === null);
  try {
    const created = await call(() => store.incr(absent));
    let j = 0;
    return values.map((value) => value ?? String(created[j++]));
  } catch {
    return null;
  }
}

/** Whether `memo` holds a value obtained under exactly `values` (all present). */
export function memoMatches<V>(memo: ProcessMemo<V>, values: (string | null)[]): boolean {
  const current = memo.current;
  return current !== null && values.every((value, i) => value !== null && value === current.validators[i]);
}
