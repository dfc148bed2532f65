/**
 * Identical requests that miss the whole-response cache at once are executed once per process:
 * clients in step (a page everyone opens after a write retired it, the 32 connections of a load
 * test) would otherwise run the same execution side by side, each reading what the others read.
 *
 * A request that finds an identical one executing waits for it, then looks the entry up again (one
 * lookup for all the requests that waited for that execution, sent once it ended). It never takes
 * the body the other computed: that execution may have read a row before a write that returned
 * after this request began; the lookup validates the kept entry's versions, as for any hit.
 * An execution that read the database is not kept (a fill may be retired while it runs), so a
 * request waits for at most `maxWaits` executions, then executes beside the one running.
 *
 * A request that arrives while an identical execution runs waits for it before any lookup
 * (`running`): its lookup could only find what a write already retired (that is why the execution
 * runs) and, the near copy being retired too, would cost a store round trip. Under writes to a hot
 * product every request for its answers that arrives during the re-execution sent one.
 */
export interface MissCollapse<T> {
  /**
   * After a miss of `key`: the answer `lookup` finds once the identical executions running now are
   * done (the lookup of one of the requests that waited for the same execution), or the turn to execute. The turn is taken at once, before anything else runs, so of the
   * requests that find nothing kept one executes and the others wait for it; `execute` must be called.
   */
  afterMiss(key: string, lookup: () => Promise<T | null>): Promise<{ answer: T } | { execute: (run: () => Promise<void>) => Promise<void> }>;
  /** Whether an execution of `key` runs now: a request then calls `afterMiss` without its own lookup first. */
  running(key: string): boolean;
}

/** Executions a request waits for before it executes itself: the first after a write reads the database and is not kept; the next one is. */
export const defaultMaxWaits = 2;

/** An execution running, and the one lookup of its waiters once it ended. */
interface Turn<T> {
  ended: Promise<void>;
  lookup: Promise<T | null> | null;
}

export function createMissCollapse<T>(maxWaits = defaultMaxWaits): MissCollapse<T> {
  const running = new Map<string, Turn<T>>();
  const beside = { execute: (run: () => Promise<void>) => run() };

  function takeTurn(key: string) {
    let done!: () => void;
    const turn: Turn<T> = { ended: new Promise<void>((resolve) => (done = resolve)), lookup: null };
    running.set(key, turn);
    return {
      async execute(run: () => Promise<void>) {
        try {
          await run();
        } finally {
          if (running.get(key) === turn) running.delete(key);
          done();
        }
      },
    };
  }

  return {
    running: (key) => running.has(key),

    async afterMiss(key, lookup) {
      for (let waits = 0; ; waits += 1) {
        const turn = running.get(key);
        if (!turn) return takeTurn(key);
        if (waits === maxWaits) return beside;
        await turn.ended;
        // One lookup for every request that waited for this execution: sent once it ended, so after
        // each of them began (what a write that returned before any of them began retired, it misses).
        const answer = await (turn.lookup ??= lookup());
        if (answer !== null) return { answer };
      }
    },
  };
}
