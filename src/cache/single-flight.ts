/**
 * Single flight: a key another request of this process is filling is awaited, not loaded again.
 * The fills in flight live in `CacheRuntime.inflight`, one promise per cache key, from the moment a
 * batch claims the key until its fill settles or fails.
 */

/**
 * What a fill hands to the requests of the process that joined it. The leader sends its store
 * read before any other request can join, so what it read may predate a joiner's start (a write
 * may have completed in between): a joiner takes the value only when `verified`, i.e. its guarded
 * write-back was accepted, which proves no invalidation landed after the lease was granted, and
 * reads the key again otherwise. Without this a read that began after a write's response could be
 * answered from a fill that read the database before that write (DESIGN.md promise 2).
 */
export interface SharedFill {
  value: unknown;
  verified: boolean;
}

/** The fills in progress in one process, by cache key. */
export type Inflight = Map<string, Promise<SharedFill>>;

/** A key of one batch another request is already filling, and that fill. */
export interface Joined<S> {
  slot: S;
  fill: Promise<SharedFill>;
}

/** What one batch found in flight, and the ends of the fills it leads. */
export interface Flights<S> {
  /** Keys nobody was filling: this batch fills them, and later batches join it. */
  led: S[];
  /** Keys another batch of this process is filling. */
  joined: Joined<S>[];
  /** Hands each led key's outcome to its joiners and ends its flight. */
  settle(outcome: (slot: S) => SharedFill): void;
  /** Hands `error` to the joiners of every led key and ends the flights. */
  fail(error: unknown): void;
}

/**
 * For each slot, joins the fill in flight for its cache key or leads a new one. A key listed twice
 * in one batch is led once and joined by its second occurrence.
 */
export function joinOrLead<S extends { cacheKey: string }>(inflight: Inflight, slots: readonly S[]): Flights<S> {
  const led: { slot: S; end: Settlers }[] = [];
  const joined: Joined<S>[] = [];
  for (const slot of slots) {
    const fill = inflight.get(slot.cacheKey);
    if (fill) joined.push({ slot, fill });
    else led.push({ slot, end: lead(inflight, slot.cacheKey) });
  }
  return {
    led: led.map(({ slot }) => slot),
    joined,
    settle: (outcome) => led.forEach(({ slot, end }) => end.resolve(outcome(slot))),
    fail: (error) => led.forEach(({ end }) => end.reject(error)),
  };
}

interface Settlers {
  resolve(fill: SharedFill): void;
  reject(error: unknown): void;
}

// Registers this batch as the filler of `cacheKey`; settling either way removes it.
function lead(inflight: Inflight, cacheKey: string): Settlers {
  let settlers!: Settlers;
  const fill = new Promise<SharedFill>((resolve, reject) => (settlers = { resolve, reject }));
  fill.catch(() => undefined); // a fill nobody joined may fail unobserved
  inflight.set(cacheKey, fill);
  return {
    resolve: (shared) => {
      settlers.resolve(shared);
      inflight.delete(cacheKey);
    },
    reject: (error) => {
      settlers.reject(error);
      inflight.delete(cacheKey);
    },
  };
}
