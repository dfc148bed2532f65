import type { CacheKeys, Family } from "./keys";

/**
 * How the read path stores an entry: "<v|n><stamp>[~<soft expiry>]|<payload>", `v` a value, `n` a
 * cached miss (no payload); the stamp is the generations the entry was computed under; the soft
 * expiry (epoch ms) is there when the family serves stale-while-revalidate: past it, the entry is
 * still served (while one refresh runs) until the store drops it at TTL + grace. The payload is
 * the family's codec's text (codec.ts); this file only wraps it. No stamp holds "~" or "|".
 */

/** One decoded entry: its payload (null for a cached miss), its stamp and its soft expiry. */
export interface Entry {
  payload: string | null;
  stamp: string;
  /** When the entry stops being fresh, epoch ms; null: fresh until the store drops it. */
  softExpiresAtMs: number | null;
}

/** The stored text of an entry; `softExpiresAtMs` only for a family with stale-while-revalidate. */
export function encodeEntry(payload: string | null, stamp: string, softExpiresAtMs?: number): string {
  const head = softExpiresAtMs === undefined ? stamp : `${stamp}~${Math.round(softExpiresAtMs)}`;
  return payload === null ? `n${head}|` : `v${head}|${payload}`;
}

/** The entry stored as `text`, or null when `text` is not one (then the read path treats it as stale). */
export function decodeEntry(text: string): Entry | null {
  const bar = text.indexOf("|");
  if (bar < 1 || (text[0] !== "v" && text[0] !== "n")) return null;
  const head = text.slice(1, bar);
  const tilde = head.indexOf("~");
  const softExpiresAtMs = tilde < 0 ? null : Number(head.slice(tilde + 1));
  if (softExpiresAtMs !== null && !Number.isSafeInteger(softExpiresAtMs)) return null;
  return { stamp: tilde < 0 ? head : head.slice(0, tilde), softExpiresAtMs, payload: text[0] === "n" ? null : text.slice(bar + 1) };
}

/** The generation counters of one family's entries, and the stamps made of them. */
export interface Stamps<K> {
  /** Every counter key `key`'s entry depends on: the family's own first, then `dependsOn(key)`. */
  countersOf(key: K): string[];
  /** `key`'s stamp under the counter values read; a counter not read or absent counts "0". */
  stampOf(key: K, generations: ReadonlyMap<string, string>): string;
}

/** Stamps of `family`'s entries; `dependsOn` as in FamilySpec. */
export function createStamps<K>(keys: CacheKeys, spec: { family: Family; dependsOn?(key: K): string[] }): Stamps<K> {
  // Every entry also depends on `gen:<family>`, so one INCR retires a whole family (invalidateCache).
  const familyGeneration = keys.generationKey(spec.family);
  const countersOf = (key: K) => [familyGeneration, ...(spec.dependsOn?.(key) ?? [])];
  // A stamp names its counters, not only their values: an entry computed from other counters (a
  // category's inherited attributes stamped with its ancestors before a move) must not match a
  // reader's stamp because the numbers happen to be equal.
  // Names go without "<prefix>gen:" and the hash tag's braces: a configured prefix may hold "|", which ends a stamp.
  const nameOf = (genKey: string) => keys.unwrap(genKey).slice("gen:".length);
  const stampOf = (key: K, generations: ReadonlyMap<string, string>) =>
    countersOf(key).map((genKey) => `${nameOf(genKey)}=${generations.get(genKey) ?? "0"}`).join(",");
  if (spec.dependsOn) return { countersOf, stampOf };
  // Entity families: every entry has the one stamp of the family's counter, made once per batch
  // (the read path hands every key of a batch the same `generations`), not once per key.
  const familyName = nameOf(familyGeneration);
  let last: { generations: ReadonlyMap<string, string>; stamp: string } | null = null;
  return {
    countersOf: () => [familyGeneration],
    stampOf: (_key, generations) => {
      if (last?.generations !== generations) last = { generations, stamp: `${familyName}=${generations.get(familyGeneration) ?? "0"}` };
      return last.stamp;
    },
  };
}
