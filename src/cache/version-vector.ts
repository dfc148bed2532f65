import type { CacheKeys } from "./keys";

/**
 * Version vectors of the whole-response cache (src/response-cache.ts): what a kept response is
 * validated against, in a number of counters that does not grow with what the response read.
 *
 * Every cache key an answer can depend on belongs to a group (its family: `prod`, `cat`,
 * `cat:children`, ...; for a generation, its counter family: `gen:prods:cat`, or the unscoped
 * counter itself: `gen:search`). Each key has two version counters under `{resp}:v:`:
 * - an exact one, `={key}`, moved only by a change of that key;
 * - its group's bucket, `<group>#<n>` with n = hash(key) mod `versionBucketCount`, moved by a change of
 *   any key of the group that hashes there.
 * A write that deletes an entity key or moves a generation also INCRs both (`versionBumpsOf`,
 * applied by src/cache/invalidation.ts after the DEL and the generation INCRs, and replayed from the
 * outbox the same way). A response names, per group, the exact counters of the keys it read when
 * they are at most `exactVersionsPerGroup`, else the buckets they fall in: at most
 * `exactVersionsPerGroup` counters per group, whatever the answer read (the tree of 2,481
 * categories: 64 buckets of `cat`, 64 of `cat:children`, and a few exact ones). Precise for small
 * answers (a price change of product 9 does not retire a page without it); coarse for large ones
 * (a write in a bucket retires every large answer that read any key of that bucket).
 *
 * Counters carry no TTL, like generations: a counter that restarted at 0 could match a vector
 * stored before it was lost. There are at most `versionBucketCount` per group, plus one exact counter
 * per key that a write has ever touched (bounded by the size of the catalog).
 */

/** Buckets per group. */
export const versionBucketCount = 64;

/** Most exact counters a response names per group before it switches to that group's buckets. */
export const exactVersionsPerGroup = 64;

/** The version counters (full keys) a response that read `dependencies` is validated against. */
export function versionKeysOf(keys: CacheKeys, dependencies: Iterable<string>): string[] {
  const groups = new Map<string, string[]>();
  for (const key of dependencies) {
    const group = groupOf(keys, key);
    const members = groups.get(group);
    if (members) members.push(key);
    else groups.set(group, [key]);
  }
  const out = new Set<string>();
  for (const [group, members] of groups) {
    if (members.length <= exactVersionsPerGroup) for (const key of members) out.add(exactVersionKey(keys, key));
    else for (const key of members) out.add(bucketVersionKey(keys, group, key));
  }
  return [...out];
}

/** The version counters (full keys) a write must INCR after it deleted or moved `changed`. */
export function versionBumpsOf(keys: CacheKeys, changed: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const key of changed) {
    out.add(exactVersionKey(keys, key));
    out.add(bucketVersionKey(keys, groupOf(keys, key), key));
  }
  return [...out];
}

/** A version counter's name without the prefix: the tag a CDN purges by (`Surrogate-Key`). */
export function versionTagOf(keys: CacheKeys, versionKey: string): string {
  return versionKey.slice(keys.responseVersionKey("").length);
}

function exactVersionKey(keys: CacheKeys, key: string): string {
  return keys.responseVersionKey(`=${rest(keys, key)}`);
}

function bucketVersionKey(keys: CacheKeys, group: string, key: string): string {
  return keys.responseVersionKey(`${group}#${fnv1a(key) % versionBucketCount}`);
}

// `prod:5` is in `prod`; `gen:prods:cat:7` in `gen:prods:cat`; `gen:search` alone in its own.
function groupOf(keys: CacheKeys, key: string): string {
  const kind = keys.familyOf(key);
  if (kind === null) return "other";
  if (kind !== "gen") return kind;
  return rest(keys, key).replace(/:(-?\d+|all)$/, "");
}

function rest(keys: CacheKeys, key: string): string {
  return key.startsWith(keys.prefix) ? key.slice(keys.prefix.length) : key;
}

// 32-bit FNV-1a: a cheap, stable spread of keys over buckets (not a security boundary).
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
