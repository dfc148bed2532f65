import { decodeEntry } from "./entry-codec";
import { nowMs, swrSecondsOf, type FamilyRead, type Miss, type Slot } from "./read-path";
import type { LeaseRead } from "./store";

/** What the leased read of one batch found: the generations read, and the keys to load. */
export interface LeaseReadResult<K> {
  /** The generation counters read with the first round trip, "0" where absent. */
  generations: Map<string, string>;
  /** Keys to load from the database, in the order they were found missing. */
  misses: Miss<K>[];
  /**
   * Keys answered from entries past their soft expiry that no write retired (stale-while-revalidate):
   * the caller refreshes them in the background (see `refreshExpired` in read-through.ts).
   */
  expired: Slot<K>[];
}

/**
 * Reads `slots` from the store with leases: one `getOrLease` for the keys and `generationKeys`,
 * then, while some keys are busy (another reader holds the lease), one more for those every
 * `leaseRetryMs` until `leaseWaitMs` has passed. An entry whose stamp matches the generations is a
 * hit, handed to `answer`; anything else ends up a miss. A hit past its soft expiry is still
 * handed to `answer` when its family serves stale-while-revalidate (and listed in `expired`),
 * else it is a miss: only an entry no write retired is ever served, fresh or not.
 */
export async function readLeased<K, V>(
  read: FamilyRead<K, V>,
  slots: readonly Slot<K>[],
  generationKeys: string[],
  answer: (slot: Slot<K>, payload: string | null) => void,
): Promise<LeaseReadResult<K>> {
  const { store, options } = read;
  const misses: Miss<K>[] = [];
  const expired: Slot<K>[] = [];
  let generations = new Map<string, string>();
  let pending = slots;
  const deadline = Date.now() + options.leaseWaitMs;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    let reply: Awaited<ReturnType<typeof store.getOrLease>>;
    try {
      const keys = pending.map(({ cacheKey }) => cacheKey);
      reply = await read.call(() => store.getOrLease(keys, options.leaseTtlMs, attempt === 0 ? generationKeys : []), "read");
    } catch {
      // The store failed: answer from the database and fill nothing.
      read.record("error");
      misses.push(...pending.map(unleased));
      break;
    }
    if (attempt === 0) generations = generationsRead(read, generationKeys, reply.extra);
    const { busy, staleLeased } = sortReads(read, pending, reply.reads, generations, answer, misses, expired);
    const released = await releaseStale(read, staleLeased, misses);
    if (busy.length === 0 && released.length === 0) break;
    pending = [...released, ...(await waitForBusy(read, busy, deadline, misses))];
  }
  return { generations, misses, expired };
}

function unleased<K>(slot: Slot<K>): Miss<K> {
  return { ...slot, token: null };
}

function generationsRead<K, V>(read: FamilyRead<K, V>, generationKeys: string[], values: (string | null)[]) {
  const generations = new Map(generationKeys.map((key, i) => [key, values[i] ?? "0"]));
  for (const [key, value] of generations) read.observe(key, value);
  return generations;
}

// Hits go to `answer`, leased and unguarded misses to `misses`; returns the keys to read again.
function sortReads<K, V>(
  read: FamilyRead<K, V>,
  pending: readonly Slot<K>[],
  reads: LeaseRead[],
  generations: Map<string, string>,
  answer: (slot: Slot<K>, payload: string | null) => void,
  misses: Miss<K>[],
  expired: Slot<K>[],
): { busy: Slot<K>[]; staleLeased: Slot<K>[] } {
  const busy: Slot<K>[] = [];
  const staleLeased: Slot<K>[] = [];
  const swr = swrSecondsOf(read.options, read.spec.family) > 0;
  reads.forEach((entry, j) => {
    const slot = pending[j];
    switch (entry.kind) {
      case "hit": {
        const decoded = decodeEntry(entry.value);
        const current = decoded !== null && decoded.stamp === read.stamps.stampOf(slot.key, generations);
        const pastSoftExpiry = current && decoded.softExpiresAtMs !== null && nowMs(read.options) >= decoded.softExpiresAtMs;
        if (current && pastSoftExpiry && swr) {
          read.record("expiredServed");
          read.note("hits");
          read.observe(slot.cacheKey, entry.value);
          expired.push(slot);
          return answer(slot, decoded.payload);
        }
        if (current && !pastSoftExpiry) {
          read.record("hit");
          read.note("hits");
          read.observe(slot.cacheKey, entry.value);
          return answer(slot, decoded.payload);
        }
        read.record("stale");
        // A generation-stamped entry may be refilled without a lease: the stamp read before the
        // load guards it. An entity entry is invalidated by DEL, so its refill needs a lease.
        if (read.spec.dependsOn) misses.push(unleased(slot));
        else staleLeased.push(slot);
        return;
      }
      case "lease":
        return void misses.push({ ...slot, token: entry.token });
      case "busy":
        return void busy.push(slot);
      case "bypass":
        return void misses.push(unleased(slot));
      default: {
        const never: never = entry;
        throw new Error(`Unknown answer of getOrLease for ${slot.cacheKey}: ${JSON.stringify(never)}`);
      }
    }
  });
  return { busy, staleLeased };
}

// Deletes stale entity entries so the next read leases them; returns those to read again.
async function releaseStale<K, V>(read: FamilyRead<K, V>, stale: Slot<K>[], misses: Miss<K>[]): Promise<Slot<K>[]> {
  if (stale.length === 0) return [];
  try {
    await read.call(() => read.store.del(stale.map(({ cacheKey }) => cacheKey)));
    return stale;
  } catch {
    read.record("error");
    misses.push(...stale.map(unleased));
    return [];
  }
}

// Waits `leaseRetryMs` for keys another reader is filling; returns those to read again.
async function waitForBusy<K, V>(read: FamilyRead<K, V>, busy: Slot<K>[], deadline: number, misses: Miss<K>[]): Promise<Slot<K>[]> {
  if (busy.length === 0) return [];
  read.record("leaseWait", busy.length);
  if (Date.now() + read.options.leaseRetryMs > deadline) {
    // Another process is filling these; rather than wait longer, read them without filling.
    misses.push(...busy.map(unleased));
    return [];
  }
  await sleep(read.options.leaseRetryMs);
  return busy;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
