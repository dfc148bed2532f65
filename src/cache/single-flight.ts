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

/** The fills in progress in one process, by cache key: the outcome of the batch filling it, by cache key. */
export type Inflight = Map<string, Promise<Outcomes>>;

/** A settled batch's outcome of one of the keys it led (asked only by joiners: a batch nobody joined builds nothing). */
type Outcomes = (cacheKey: string) => SharedFill;

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
 * in one batch is led once and joined by its second occurrence. The keys a batch leads share one
 * promise (they settle together): a batch of keys that are all hits costs one, not one per key.
 */
export function joinOrLead<S extends { cacheKey: string }>(inflight: Inflight, slots: readonly S[]): Flights<S> {
  const led: S[] = [];
  const joined: Joined<S>[] = [];
  let settlers: Settlers | null = null;
  let fill: Promise<Outcomes> | null = null;
  for (const slot of slots) {
    const { cacheKey } = slot;
    const leader = inflight.get(cacheKey);
    if (leader) {
      joined.push({ slot, fill: leader.then((outcomeOf) => outcomeOf(cacheKey)) });
      continue;
    }
    if (fill === null) {
      fill = new Promise((resolve, reject) => (settlers = { resolve, reject }));
      fill.catch(() => undefined); // a fill nobody joined may fail unobserved
    }
    inflight.set(cacheKey, fill);
    led.push(slot);
  }
  // Ends the flights: the keys leave `inflight` as their outcome is handed over.
  const end = (settle: (ends: Settlers) => void) => {
    if (settlers === null) return;
    settle(settlers);
    for (const { cacheKey } of led) inflight.delete(cacheKey);
  };
  return {
    led,
    joined,
    // `outcome` reads what the batch settled with (its values and which were verified), final by now.
    settle: (outcome) => end(({ resolve }) => resolve((cacheKey) => outcome(led.find((slot) => slot.cacheKey === cacheKey)!))),
    fail: (error) => end(({ reject }) => reject(error)),
  };
}

interface Settlers {
  resolve(outcomes: Outcomes): void;
  reject(error: unknown): void;
}
