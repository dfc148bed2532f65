import { fnv1a, type CacheKeys } from "./keys";

/**
 * Version vectors of the whole-response cache (src/response-cache.ts): what a kept response is
 * validated against, in a number of counters that does not grow with what the response read.
 *
 * Every cache key an answer can depend on belongs to a group (its family: `prod`, `cat`,
 * `cat:children`, ...; for a generation, its counter family: `gen:prods:cat`, or the unscoped
 * counter itself: `gen:search`). Each key has two version counters under `{resp:<shard>}:v:`:
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
 * Response shards (`keys.responseShards`, CACHE_RESPONSE_SHARDS): each shard holds its own copy of
 * every counter, beside the entries it validates (one hash tag, one Redis Cluster slot); a response
 * names the counters of its own shard, and a write moves the counters of every shard.
 *
 * Group epochs, `@<group>`: one more counter per group, moved by every write that moves any counter
 * of the group (in the same step). A response also stores the epochs of its groups as they were
 * when its vector was read (a handful: one per family it read), and the lookup compares those
 * first: equal, no counter of its vector can have moved, and the vector is not read. So a hit costs
 * the same small check whatever the answer read, until a write touches one of its groups; the tree
 * (groups `cat`, `cat:children`) keeps that through any number of price writes.
 *
 * Counters carry no TTL, like generations: a counter that restarted at 0 could match a vector
 * stored before it was lost. There are at most `versionBucketCount` per group, plus one exact counter
 * per key that a write has ever touched (bounded by the size of the catalog).
 */

/** Buckets per group. */
export const versionBucketCount = 64;

/** Most exact counters a response names per group before it switches to that group's buckets. */
export const exactVersionsPerGroup = 64;

/** The version counters (full keys, in `shard`) a response that read `dependencies` is validated against. */
export function versionKeysOf(keys: CacheKeys, dependencies: Iterable<string>, shard: number): string[] {
  const groups = new Map<string, string[]>();
  for (const key of dependencies) {
    const group = groupOf(keys, key);
    const members = groups.get(group);
    if (members) members.push(key);
    else groups.set(group, [key]);
  }
  const out = new Set<string>();
  for (const [group, members] of groups) {
    if (members.length <= exactVersionsPerGroup) for (const key of members) out.add(keys.responseVersionKey(exactVersionName(keys, key), shard));
    else for (const key of members) out.add(keys.responseVersionKey(bucketVersionName(group, keys.unwrap(key)), shard));
  }
  return [...out];
}

/** The group epochs (full keys, in `shard`, sorted) of a response that read `dependencies`. */
export function epochKeysOf(keys: CacheKeys, dependencies: Iterable<string>, shard: number): string[] {
  const groups = new Set<string>();
  for (const key of dependencies) groups.add(groupOf(keys, key));
  return [...groups].sort().map((group) => keys.responseVersionKey(epochName(group), shard));
}

/** The version counters and group epochs (full keys, in every shard) a write must INCR after it deleted or moved `changed`. */
export function versionBumpsOf(keys: CacheKeys, changed: Iterable<string>): string[] {
  const changedKeys = [...changed];
  const epochs = new Set(changedKeys.map((key) => epochName(groupOf(keys, key))));
  const names = [...versionNamesOf(keys, changedKeys), ...epochs];
  const out: string[] = [];
  for (let shard = 0; shard < keys.responseShards; shard += 1) for (const name of names) out.push(keys.responseVersionKey(name, shard));
  return out;
}

/** The names (tags) of the version counters a write moves after it deleted or moved `changed`, once whatever the shards. */
export function versionNamesOf(keys: CacheKeys, changed: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const key of changed) {
    out.add(exactVersionName(keys, key));
    out.add(bucketVersionName(groupOf(keys, key), keys.unwrap(key)));
  }
  return [...out];
}

/** A version counter's name without the prefix and shard: the tag a CDN purges by (`Surrogate-Key`). */
export function versionTagOf(keys: CacheKeys, versionKey: string): string {
  return versionKey.slice(keys.responseVersionKey("", keys.responseShardOf(versionKey)).length);
}

// "@" starts no key name (`=` exact, a family name for buckets): an epoch never shares a counter with them.
function epochName(group: string): string {
  return `@${group}`;
}

function exactVersionName(keys: CacheKeys, key: string): string {
  return `=${keys.unwrap(key)}`;
}

/**
 * The exact version counter (full key, shard 0) of `key`: every write that deletes or moves `key`
 * INCRs it in every shard (`versionBumpsOf`), so one shard's copy tells whether `key` changed.
 */
export function exactVersionKeyOf(keys: CacheKeys, key: string): string {
  return keys.responseVersionKey(exactVersionName(keys, key), 0);
}

// The bucket hashes the key as DESIGN.md spells it (no prefix, no braces), so tags do not change with the prefix.
function bucketVersionName(group: string, key: string): string {
  return `${group}#${fnv1a(key) % versionBucketCount}`;
}

// `prod:5` is in `prod`; `gen:prods:cat:7` in `gen:prods:cat`; `gen:search` alone in its own.
function groupOf(keys: CacheKeys, key: string): string {
  const kind = keys.familyOf(key);
  if (kind === null) return "other";
  if (kind !== "gen") return kind;
  return keys.unwrap(key).replace(/:(-?\d+|all)$/, "");
}
