import { createStamps } from "./entry-codec";
import type { FillLimit } from "./fill-limit";
import type { CacheKeys, Family } from "./keys";
import { readLeased } from "./lease-read";
import type { NearSession, NearTier } from "./near-tier";
import { memoMatches, memoValidatorKeys, settleValidators, type ProcessMemo } from "./process-memo";
import { usableStore } from "./resilient-store";
import type { FamilyRead, FamilySpec, Loaded, Miss, ReadThroughOptions, Slot } from "./read-path";
import type { ReplicaFills } from "./replica-fills";
import { joinOrLead, type Flights, type Inflight, type SharedFill } from "./single-flight";
import type { CacheStats } from "./stats";
import type { CacheStore } from "./store";
import { writeBack } from "./write-back";

export { defaultReadThroughOptions, type FamilySpec, type ReadThroughOptions } from "./read-path";
export type { SharedFill } from "./single-flight";

/**
 * The read path every loader goes through: one store round trip for a batch of keys (values, leases
 * and the generation counters they depend on), one `load` for the misses, one guarded write-back.
 *
 * Two guards keep a value read before an invalidation from being served after it:
 * - entity families hold a lease per missed key; an invalidation deletes the lease, so the fill of
 *   a reader that read the old row is refused by the store (DESIGN.md promise 2);
 * - list families (`dependsOn`) stamp each entry with the generations of what they depend on, read
 *   in the same round trip before the database; one INCR retires every entry stamped before it.
 *
 * The steps, each in its own file: single flight (single-flight.ts), the leased read with its
 * retries for busy keys (lease-read.ts), entries and their stamps (entry-codec.ts), the guarded
 * write-back (write-back.ts). Their shared types are in read-path.ts.
 */

/** Process-wide state of the read path: the store, its counters, and the loads in flight. */
export interface CacheRuntime {
  store: CacheStore | null;
  keys: CacheKeys;
  /** Bounds the database loads running at once, so a cold or unavailable cache cannot flood it. */
  fills: FillLimit;
  stats: CacheStats;
  options: ReadThroughOptions;
  /** Single flight: the fill in progress for a cache key in this process. */
  inflight: Inflight;
  /** The near tier above the store (NEAR_CACHE=on, Redis only); absent or null: every read goes to the store. */
  near?: NearTier | null;
  /** Where fills read when read replicas are configured (replica-fills.ts); absent or null: the primary. */
  replicaFills?: ReplicaFills | null;
}

/** What one request read from the cache, for `extensions.cache` and a later response cache. */
export interface CacheTrace {
  families: Partial<Record<Family, { hits: number; misses: number; roundTrips: number }>>;
  roundTrips: number;
  /** Every entry key and generation key the request's answer depends on. */
  dependencies: Set<string>;
  /** The raw value of each entry and generation the request read from the store. */
  observed: Map<string, string>;
  /**
   * True while every value the request used is in the store as observed: read from it, or loaded
   * from the database and written back by this request's guarded fill, which stored exactly that
   * text (no shared fill, no fill the store refused or lost, no stale entry, no store failure):
   * only such an answer can be validated later against `observed` (the response cache).
   * Resolvers that answer from elsewhere clear it.
   */
  complete: boolean;
}

export function createCacheTrace(): CacheTrace {
  return { families: {}, roundTrips: 0, dependencies: new Set(), observed: new Map(), complete: true };
}

export interface ReadThrough {
  load<K, V>(spec: FamilySpec<K, V>, keys: readonly K[]): Promise<(V | null)[]>;
  /**
   * One large entry read whole (the category tree): served from `memo`, this process's decoded copy,
   * while its validators hold (one MGET of two counters), else read as `load` would and memoized.
   * See process-memo.ts for why it is never stale.
   */
  loadMemoized<K, V>(spec: FamilySpec<K, V>, key: K, memo: ProcessMemo<V>): Promise<V | null>;
  /** Resolves once the background refreshes (stale-while-revalidate) this read path started have settled. */
  idle(): Promise<void>;
}

/** A read path for one request: counts go to the runtime's stats and to the request's trace. */
export function createReadThrough(runtime: CacheRuntime, trace: CacheTrace = createCacheTrace()): ReadThrough {
  const { stats, options, inflight } = runtime;
  const refreshes = new Set<Promise<void>>();
  // One per request: its barrier is taken once, on its first near read (near-tier.ts).
  let near: NearSession | null | undefined;
  const nearSession = (store: CacheStore) =>
    (near ??= runtime.near ? runtime.near.session(() => usableStore(store)) : null);

  async function load<K, V>(spec: FamilySpec<K, V>, keys: readonly K[]): Promise<(V | null)[]> {
    const store = runtime.store;
    if (!store || keys.length === 0) return loadUncached(spec, keys);
    const read = familyRead(spec, store);
    const slots = keys.map((key, index): Slot<K> => ({ index, key, cacheKey: spec.key(key) }));
    for (const { cacheKey } of slots) trace.dependencies.add(cacheKey);
    const results: (V | null)[] = new Array(keys.length).fill(null);

    // Single flight: a key another request of this process is filling is awaited, not loaded
    // again; if that fill cannot prove its value fresh (see SharedFill), the key is read again.
    const flights = joinOrLead(inflight, slots);
    const again: Slot<K>[] = [];
    const joining =
      flights.joined.length === 0
        ? null
        : Promise.all(flights.joined.map(({ slot, fill }) => fill.then((shared) => takeShared(read, slot, shared, results, again))));
    // Awaited only after this batch's own fill: a joined fill that fails meanwhile must not count
    // as an unhandled rejection (Node would exit); `await joining` still throws its error.
    joining?.catch(() => undefined);
    await fillLed(read, flights, results);
    if (joining) await joining;
    // Read alone, without offering the fill to others: bounded, however busy the key is.
    if (again.length > 0) await fill(read, again, results);
    return results;
  }

  // No store, or no keys: the database answers, and nothing was read to validate later.
  function loadUncached<K, V>(spec: FamilySpec<K, V>, keys: readonly K[]): Promise<(V | null)[]> {
    if (keys.length > 0) trace.complete = false;
    note(spec.family, "misses", keys.length);
    return spec.load(keys);
  }

  // The keys this batch leads: filled, then handed to their joiners with whether they are verified.
  async function fillLed<K, V>(read: FamilyRead<K, V>, flights: Flights<Slot<K>>, results: (V | null)[]): Promise<void> {
    try {
      const verified = await fill(read, flights.led, results);
      flights.settle(({ index }) => ({ value: results[index], verified: verified.has(index) }));
    } catch (error) {
      flights.fail(error);
      throw error;
    }
  }

  // A joiner takes the leader's value only when verified (see SharedFill); otherwise it reads again.
  function takeShared<K, V>(read: FamilyRead<K, V>, slot: Slot<K>, shared: SharedFill, results: (V | null)[], again: Slot<K>[]): void {
    if (!shared.verified) return void again.push(slot);
    read.record("coalesced");
    trace.complete = false; // another request observed this value, not this one
    results[slot.index] = shared.value as V | null;
  }

  // Reads `slots` with leases, loads the misses in one `load`, writes them back; fills `results`.
  // Returns the indices whose write-back verified their value.
  async function fill<K, V>(read: FamilyRead<K, V>, slots: Slot<K>[], results: (V | null)[]): Promise<Set<number>> {
    if (slots.length === 0) return new Set();
    // An entity family's entries all depend on its one counter: no per-key list to merge.
    const generationKeys = read.spec.dependsOn ? [...new Set(slots.flatMap(({ key }) => read.stamps.countersOf(key)))] : read.stamps.countersOf(slots[0].key);
    for (const key of generationKeys) trace.dependencies.add(key);
    const { generations, misses, expired } = await readLeased(read, slots, generationKeys, ({ index }, value) => {
      results[index] = value;
    });
    if (expired.length > 0) {
      trace.complete = false; // an expired entry is replaced by its refresh: nothing to validate against later
      refreshExpired(read, expired, generations);
    }
    if (misses.length === 0) return new Set();
    const loaded = await loadMisses(read, misses);
    for (const { index, value } of loaded) results[index] = value;
    if (options.fillDelayMs) await sleep(options.fillDelayMs);
    // A value the fill stored is observed as stored: the store held exactly that text when the
    // write-back landed (a lease an invalidation deleted refuses it), so the response cache's
    // check of what its answer read covers it like a hit. A value not stored leaves nothing to check.
    const stored = new Map<string, string>();
    const verified = await writeBack(read, loaded, (key) => read.stamps.stampOf(key, generations), (key, text) => stored.set(key, text));
    for (const { cacheKey } of loaded) {
      const text = stored.get(cacheKey);
      if (text === undefined) trace.complete = false;
      else observe(trace, cacheKey, text);
    }
    return verified;
  }

  async function loadMisses<K, V>(read: FamilyRead<K, V>, misses: Miss<K>[]): Promise<Loaded<K, V>[]> {
    read.record("miss", misses.length);
    read.note("misses", misses.length);
    const values = await runtime.fills.run(() => loadFrom(read, misses));
    return misses.map((miss, j) => ({ ...miss, value: values[j] }));
  }

  // Stale-while-revalidate: entries served past their soft expiry are read again in the background,
  // each under its key's lease, so one refresh runs across every instance (a key whose lease
  // another caller holds is being filled or refreshed already). The write-back is the guarded one
  // of every fill: a DEL since the lease was granted refuses it, an INCR since `generations` were
  // read (before this load) leaves it stamped stale. A failed refresh only leaves the entry to expire.
  function refreshExpired<K, V>(read: FamilyRead<K, V>, slots: Slot<K>[], generations: Map<string, string>): void {
    const refresh = async () => {
      const tokens = await read.store.lease(slots.map(({ cacheKey }) => cacheKey), options.leaseTtlMs);
      const leased: Miss<K>[] = slots.flatMap((slot, i) => (tokens[i] ? [{ ...slot, token: tokens[i] }] : []));
      if (leased.length === 0) return;
      const values = await runtime.fills.run(() => loadFrom(read, leased));
      await writeBack(read, leased.map((miss, j) => ({ ...miss, value: values[j] })), (key) => read.stamps.stampOf(key, generations));
    };
    const running = refresh()
      .catch(() => read.record("error"))
      .finally(() => refreshes.delete(running));
    refreshes.add(running);
  }

  async function loadMemoized<K, V>(spec: FamilySpec<K, V>, key: K, memo: ProcessMemo<V>): Promise<V | null> {
    const store = runtime.store;
    // With the near cache the entry itself is held in process, decoded, and kept current by Redis's
    // invalidation messages: the ordinary read is a near hit at no round trip, where the copy's
    // counters would cost one (the exact version counter lives beside whole responses, which the
    // near cache does not track).
    if (!store || runtime.near) return (await load(spec, [key]))[0];
    const read = familyRead(spec, store);
    const cacheKey = spec.key(key);
    const validatorKeys = memoValidatorKeys(runtime.keys, spec.family, cacheKey);
    const [, generationKey] = validatorKeys;
    const values = await read.call(() => store.mget(validatorKeys), "read").catch(() => validatorKeys.map(() => null));
    // A copy loaded from the database has no entry text to be validated by (the whole-response cache
    // re-reads what a request observed): the entry is read once more, and the copy takes its text.
    const raw = memo.current?.raw;
    if (raw !== undefined && memoMatches(memo, values)) {
      read.record("hit");
      read.note("hits");
      trace.dependencies.add(cacheKey).add(generationKey);
      observe(trace, cacheKey, raw);
      observe(trace, generationKey, values[1] ?? "0");
      return memo.current!.value;
    }
    const validators = await settleValidators(store, validatorKeys, values, (storeCall) => read.call(storeCall));
    const hitsBefore = trace.families[spec.family]?.hits ?? 0;
    const [value] = await load(spec, [key]);
    if (validators !== null && value !== null) {
      const hit = (trace.families[spec.family]?.hits ?? 0) > hitsBefore;
      memo.current = { validators, value, raw: hit ? trace.observed.get(cacheKey) : undefined };
    }
    return value;
  }

  // A fill's database read, after its lease (or generations) was read: on a replica that has
  // replayed every write to what guards these entries (the key a write deletes, the counters it
  // moves), or on the primary (replica-fills.ts). The family's own counter is left out: only the
  // admin's invalidateCache moves it, and that changes nothing in the database.
  function loadFrom<K, V>(read: FamilyRead<K, V>, slots: Slot<K>[]): Promise<(V | null)[]> {
    const keys = slots.map(({ key }) => key);
    const replicaFills = runtime.replicaFills;
    if (!replicaFills || !read.spec.replicaReads) return read.spec.load(keys);
    const scopes = slots.flatMap(({ key, cacheKey }) => [cacheKey, ...(read.spec.dependsOn?.(key) ?? [])]);
    return replicaFills.load(read.store, scopes, (on) => read.spec.load(keys, on));
  }

  async function idle(): Promise<void> {
    while (refreshes.size > 0) await Promise.all(refreshes);
  }

  function familyRead<K, V>(spec: FamilySpec<K, V>, store: CacheStore): FamilyRead<K, V> {
    const { family } = spec;
    return {
      spec,
      store,
      options,
      near: nearSession(store),
      stamps: createStamps(runtime.keys, spec),
      record: (event, n) => stats.record(family, event, n),
      note: (field, n) => note(family, field, n),
      call: (storeCall, operation) => {
        note(family, "roundTrips");
        return operation ? stats.time(family, operation, storeCall) : storeCall();
      },
      observe: (key, value) => observe(trace, key, value),
    };
  }

  function note(family: Family, field: "hits" | "misses" | "roundTrips", n = 1) {
    const counts = (trace.families[family] ??= { hits: 0, misses: 0, roundTrips: 0 });
    counts[field] += n;
    if (field === "roundTrips") trace.roundTrips += n;
  }

  return { load, loadMemoized, idle };
}

// A key read twice in one request with two values leaves no single state to validate against.
function observe(trace: CacheTrace, key: string, value: string): void {
  const seen = trace.observed.get(key);
  if (seen !== undefined && seen !== value) trace.complete = false;
  trace.observed.set(key, value);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
