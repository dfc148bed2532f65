import { decodeEntry, type Entry } from "./entry-codec";
import type { NearEntry } from "./near-cache";
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

/** One key's answer: the store's, or an entry held by the near tier. */
type KeyRead = LeaseRead | { kind: "near"; entry: NearEntry };

/** What the read path derives from a near entry once, shared by every request that reads it. */
interface NearMemo {
  entry: Entry | null;
  /** Decoded on first use: a stale entry is never decoded. */
  value?: { decoded: unknown };
  /** The entry as a key's answer (read-only, like the rest). */
  read?: KeyRead;
}

/**
 * Reads `slots` with leases: what the near tier holds first (read.near, when the request may read
 * it), then one `getOrLease` for the other keys and generations, then, while some keys are busy
 * (another reader holds the lease), one more for those every `leaseRetryMs` until `leaseWaitMs`
 * has passed. An entry whose stamp matches the generations is a hit, handed to `answer` decoded;
 * anything else ends up a miss. A hit past its soft expiry is still handed to `answer` when its
 * family serves stale-while-revalidate (and listed in `expired`), else it is a miss: only an entry
 * no write retired is ever served, fresh or not. What the store answers is offered to the near tier.
 */
export async function readLeased<K, V>(
  read: FamilyRead<K, V>,
  slots: readonly Slot<K>[],
  generationKeys: string[],
  answer: (slot: Slot<K>, value: V | null) => void,
): Promise<LeaseReadResult<K>> {
  const misses: Miss<K>[] = [];
  const expired: Slot<K>[] = [];
  let generations = new Map<string, string>();
  let pending = slots;
  const deadline = Date.now() + read.options.leaseWaitMs;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    let reply: { reads: KeyRead[]; extra: (string | null)[] };
    try {
      const keys = pending.map(({ cacheKey }) => cacheKey);
      reply = attempt === 0 ? await nearThenStore(read, keys, generationKeys) : await storeRead(read, keys, []);
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

// The near tier's entries, then one store round trip for what it does not hold (none if nothing).
async function nearThenStore<K, V>(read: FamilyRead<K, V>, keys: string[], generationKeys: string[]) {
  const held = read.near ? await read.near.lookup(generationKeys.length === 0 ? keys : [...keys, ...generationKeys]) : null;
  if (!held) return storeRead(read, keys, generationKeys);
  // One pass each, allocating only for what the near tier lacks: a batch of near hits is a tight loop.
  const reads: (KeyRead | undefined)[] = new Array(keys.length);
  const restKeys: string[] = [];
  for (let i = 0; i < keys.length; i += 1) {
    const entry = held[i];
    if (entry) reads[i] = nearReadOf(entry);
    else restKeys.push(keys[i]);
  }
  const extra: (string | null | undefined)[] = new Array(generationKeys.length);
  const restGenerations: string[] = [];
  for (let j = 0; j < generationKeys.length; j += 1) {
    const entry = held[keys.length + j];
    if (entry) extra[j] = entry.text;
    else restGenerations.push(generationKeys[j]);
  }
  if (restKeys.length + restGenerations.length > 0) {
    const rest = await storeRead(read, restKeys, restGenerations);
    let r = 0;
    for (let i = 0; i < keys.length; i += 1) reads[i] ??= rest.reads[r++];
    r = 0;
    for (let j = 0; j < generationKeys.length; j += 1) if (extra[j] === undefined) extra[j] = rest.extra[r++];
  }
  return { reads: reads as KeyRead[], extra: extra as (string | null)[] };
}

// One getOrLease round trip; its values and generations are offered to the near tier.
async function storeRead<K, V>(read: FamilyRead<K, V>, keys: string[], generationKeys: string[]) {
  const ticket = read.near?.ticket() ?? -1;
  const reply = await read.call(() => read.store.getOrLease(keys, read.options.leaseTtlMs, generationKeys), "read");
  if (ticket >= 0) {
    const hits = reply.reads.flatMap((entry, i) => (entry.kind === "hit" ? [[keys[i], entry.value] as const] : []));
    read.near!.keep(ticket, [...hits.map(([key]) => key), ...generationKeys], [...hits.map(([, value]) => value), ...reply.extra]);
  }
  return reply;
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
  reads: KeyRead[],
  generations: Map<string, string>,
  answer: (slot: Slot<K>, value: V | null) => void,
  misses: Miss<K>[],
  expired: Slot<K>[],
): { busy: Slot<K>[]; staleLeased: Slot<K>[] } {
  const busy: Slot<K>[] = [];
  const staleLeased: Slot<K>[] = [];
  const expiredBefore = expired.length;
  const swr = swrSecondsOf(read.options, read.spec.family) > 0;
  // Counted once for the batch, not per key (each count is a prom-client increment).
  let hits = 0;
  let nearHits = 0;
  // Whether `entry` may be served; counts it and notes what it was read from if so.
  const served = (slot: Slot<K>, text: string, entry: Entry | null, near: boolean): boolean => {
    const current = entry !== null && entry.stamp === read.stamps.stampOf(slot.key, generations);
    const pastSoftExpiry = current && entry.softExpiresAtMs !== null && nowMs(read.options) >= entry.softExpiresAtMs;
    if (!current || (pastSoftExpiry && !swr)) return false;
    if (pastSoftExpiry) {
      read.record("expiredServed");
      expired.push(slot);
    } else hits += 1;
    if (near) nearHits += 1;
    read.observe(slot.cacheKey, text);
    return true;
  };
  const stale = (slot: Slot<K>) => {
    read.record("stale");
    // A generation-stamped entry may be refilled without a lease: the stamp read before the
    // load guards it. An entity entry is invalidated by DEL, so its refill needs a lease.
    if (read.spec.dependsOn) misses.push(unleased(slot));
    else staleLeased.push(slot);
  };
  for (let j = 0; j < reads.length; j += 1) {
    const entry = reads[j];
    const slot = pending[j];
    switch (entry.kind) {
      case "hit": {
        const decoded = decodeEntry(entry.value);
        if (served(slot, entry.value, decoded, false)) answer(slot, decodedValue(read, decoded));
        else stale(slot);
        break;
      }
      case "near": {
        const memo = nearMemoOf(entry.entry);
        if (served(slot, entry.entry.text ?? "", memo.entry, true)) answer(slot, (memo.value ??= { decoded: decodedValue(read, memo.entry) }).decoded as V | null);
        else stale(slot);
        break;
      }
      case "lease":
        misses.push({ ...slot, token: entry.token });
        break;
      case "busy":
        busy.push(slot);
        break;
      case "bypass":
        misses.push(unleased(slot));
        break;
      default: {
        const never: never = entry;
        throw new Error(`Unknown answer of getOrLease for ${slot.cacheKey}: ${JSON.stringify(never)}`);
      }
    }
  }
  read.record("hit", hits);
  read.record("nearHit", nearHits);
  // The request's trace counts every entry served, fresh or past its soft expiry.
  const servedCount = hits + expired.length - expiredBefore;
  if (servedCount > 0) read.note("hits", servedCount);
  return { busy, staleLeased };
}

// A near entry is decoded once while held: its key names one family, so one codec. The value is
// shared by every request that reads the entry, like the category tree's (codec.ts memoizedCodec).
function nearMemoOf(near: NearEntry): NearMemo {
  return (near.memo ??= { entry: near.text === null ? null : decodeEntry(near.text) }) as NearMemo;
}

function nearReadOf(near: NearEntry): KeyRead {
  return (nearMemoOf(near).read ??= { kind: "near", entry: near });
}

function decodedValue<K, V>(read: FamilyRead<K, V>, entry: Entry | null): V | null {
  return entry?.payload == null ? null : read.spec.codec.decode(entry.payload);
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
