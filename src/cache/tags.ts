import { footprintOperations, type Footprint } from "./invalidation";
import type { CacheKeys } from "./keys";
import { versionKeysOf, versionNamesOf, versionTagOf } from "./version-vector";

/**
 * Surrogate keys (Fastly `Surrogate-Key`, Cloudflare `Cache-Tag`): the names under which an HTTP
 * cache holds a response, and under which a write purges it. Both sides are spelled here, from the
 * whole-response cache's version counters (src/cache/version-vector.ts), so a response's header
 * and a footprint's purge can never disagree: a response is tagged with the counters it is
 * validated against (`=prod:42`, `prod#17`, `=gen:prods:cat:7:price`, ...), and a write purges
 * the counters it moves, which are exactly those that invalidate it in Redis.
 */

/** The tags of a response computed from `dependencies` (full cache keys): its version counters' names. */
export function responseTags(keys: CacheKeys, dependencies: Iterable<string>): string[] {
  return versionKeysOf(keys, dependencies, 0).map((key) => versionTagOf(keys, key)).sort();
}

/** The tags a footprint purges: the names of the version counters it moves (every key it deletes or generation it moves). */
export function footprintTags(keys: CacheKeys, footprint: Footprint): string[] {
  const { del, incr } = footprintOperations(keys, footprint);
  return versionNamesOf(keys, [...del, ...incr]).sort();
}
