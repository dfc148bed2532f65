import { encodeEntry } from "./entry-codec";
import { nowMs, swrSecondsOf, type FamilyRead, type Loaded } from "./read-path";
import type { LeasedEntry, StoreEntry } from "./store";

/**
 * Writes one batch's loaded values back to the store, in at most two round trips: entries held
 * under a lease through `setLeased`, which refuses any whose lease an invalidation deleted since it
 * was granted; generation-stamped entries loaded without a lease through `set`. A store failure
 * loses the fill, never the answer. Returns the indices whose fill proves its value fresh (see
 * SharedFill); `onStored` is told each entry the store accepted, with the text it now holds.
 */
export async function writeBack<K, V>(
  read: FamilyRead<K, V>,
  loaded: Loaded<K, V>[],
  stampOf: (key: K) => string,
  onStored: (cacheKey: string, text: string) => void = () => undefined,
): Promise<Set<number>> {
  const { leased, plain } = entriesOf(read, loaded, stampOf);
  const verified = new Set<number>();
  try {
    if (leased.length > 0) {
      const stored = await read.call(() => read.store.setLeased(leased), "fill");
      const rejected = stored.filter((ok) => !ok).length;
      if (rejected > 0) read.record("rejectedWrite", rejected);
      // An accepted lease proves an entity entry fresh; a generation-stamped one is retired by
      // INCR, which leaves the lease alone, so its acceptance proves nothing.
      if (!read.spec.dependsOn) leased.forEach(({ index }, j) => stored[j] && verified.add(index));
      leased.forEach(({ key, value }, j) => stored[j] && onStored(key, value));
    }
    if (plain.length > 0) {
      await read.call(() => read.store.set(plain), "fill");
      for (const { key, value } of plain) onStored(key, value);
    }
  } catch {
    read.record("error");
  }
  return verified;
}

function entriesOf<K, V>(read: FamilyRead<K, V>, loaded: Loaded<K, V>[], stampOf: (key: K) => string) {
  const { spec, options } = read;
  const leased: (LeasedEntry & { index: number })[] = [];
  const plain: StoreEntry[] = [];
  // With stale-while-revalidate a value is fresh for its TTL (its soft expiry, in the entry) and
  // kept for the grace beyond it; a cached miss simply expires.
  const graceSeconds = swrSecondsOf(options, spec.family);
  for (const { index, key, cacheKey, token, value } of loaded) {
    if (value === null && spec.negativeTtlSeconds === undefined) continue;
    const freshSeconds = jittered(value === null ? spec.negativeTtlSeconds! : spec.ttlSeconds, options.ttlJitter);
    const swr = value !== null && graceSeconds > 0;
    const ttlSeconds = swr ? freshSeconds + graceSeconds : freshSeconds;
    const softExpiresAtMs = swr ? nowMs(options) + freshSeconds * 1000 : undefined;
    const entry = { key: cacheKey, value: encodeEntry(value === null ? null : spec.codec.encode(value), stampOf(key), softExpiresAtMs), ttlSeconds };
    // Without a lease only generation-stamped entries may be written: their stamp guards them.
    if (token) leased.push({ ...entry, index, token });
    else if (spec.dependsOn) plain.push(entry);
  }
  return { leased, plain };
}

function jittered(ttlSeconds: number, jitter: number): number {
  return Math.max(1, Math.round(ttlSeconds * (1 - Math.random() * jitter)));
}
