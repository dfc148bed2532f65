import { footprintOperations, type Footprint } from "./invalidation";
import type { CacheKeys } from "./keys";

/**
 * Surrogate keys (Fastly `Surrogate-Key`, Cloudflare `Cache-Tag`): the names under which an HTTP
 * cache holds a response, and under which a write purges it. The one place they are spelled, so
 * a response's header and a footprint's purge can never disagree.
 *
 * A tag is a cache key without the prefix (`prod:42`, `cat:7`, `gen:prods:cat:7:price`): a
 * response is tagged with every entry and generation counter it was computed from
 * (CacheTrace.dependencies), and a write purges the tags of the keys its footprint deletes and the
 * counters it increments. Any write that retires one of a response's dependencies in the cache
 * therefore purges the response from the CDN too. The schema version (in the prefix) is left out:
 * tags must match across a deploy that changes it, and over-purging is harmless.
 */

/** The tag of one full cache key (entry or generation counter); null for a key that is not ours. */
export function tagOfKey(keys: CacheKeys, key: string): string | null {
  return key.startsWith(keys.prefix) ? key.slice(keys.prefix.length) : null;
}

/**
 * The tags a response computed from `dependencies` (full cache keys) carries, sorted and once
 * each. Stamped entries (listings, searches, statistics) are tagged by their generations, which
 * are what writes move; their own keys are left out, as no write names them.
 */
export function responseTags(keys: CacheKeys, dependencies: Iterable<string>): string[] {
  const tags = new Set<string>();
  for (const key of dependencies) {
    const kind = keys.familyOf(key);
    if (kind === null || stampedFamilies.has(kind)) continue;
    const tag = tagOfKey(keys, key);
    if (tag) tags.add(tag);
  }
  return [...tags].sort();
}

// Families whose entries are retired by generations, never deleted (invalidation.ts), and whole responses.
const stampedFamilies = new Set<string>(["attrs:cat", "prods:cat", "search", "stats", "resp"]);

/** The tags a footprint purges: one per key it deletes and per counter it increments, sorted. */
export function footprintTags(keys: CacheKeys, footprint: Footprint): string[] {
  const { del, incr } = footprintOperations(keys, footprint);
  return [...del, ...incr].map((key) => tagOfKey(keys, key)!).sort();
}
