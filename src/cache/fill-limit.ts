/**
 * A counting semaphore for database fills: at most `max` loads run at once, the rest queue in
 * order. Written here because p-limit, the usual package, is ESM-only since v4 and this project
 * builds to CommonJS; the whole idea is these few lines.
 */
export interface FillLimit {
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Loads running now and waiting now, for metrics. */
  readonly active: number;
  readonly queued: number;
}

/** Database loads running at once per process when nothing else is configured (CACHE_MAX_CONCURRENT_FILLS). */
export const defaultMaxConcurrentFills = 32;

/** Creates a limit of `max` concurrent fills. Default `defaultMaxConcurrentFills`. */
export function createFillLimit(max = defaultMaxConcurrentFills): FillLimit {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active -= 1;
    queue.shift()?.();
  };
  return {
    async run(work) {
      if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
      active += 1;
      try {
        return await work();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get queued() {
      return queue.length;
    },
  };
}
