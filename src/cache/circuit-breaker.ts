/**
 * A small circuit breaker: it opens after `failureThreshold` consecutive failures, stays open for
 * `coolDownMs`, then runs one probe of its own (half-open) and closes when the probe succeeds.
 *
 * Written here rather than taken from opossum because the cache needs what opossum does not
 * offer directly: consecutive-failure counting (opossum counts an error percentage over a rolling
 * window), a probe that is not a user's request (so a request never waits on a recovering Redis,
 * and recovery can first replay the invalidation outbox), and an explicit `trip()` for a failed
 * invalidation. It keeps one unref'd timer and nothing else.
 */

export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitBreakerOptions {
  /** Consecutive failures (errors or timeouts) that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Milliseconds the circuit stays open before the probe runs. Default 2000. */
  coolDownMs?: number;
  /** The half-open check: resolves true when the dependency is back (a throw counts as false). */
  probe: () => Promise<boolean>;
  /** Told of every state change, for logs and metrics. */
  onStateChange?: (state: CircuitState) => void;
}

export interface CircuitBreaker {
  readonly state: CircuitState;
  /** Times the circuit has opened so far. */
  readonly openings: number;
  /** Whether a call may go to the dependency now (only while closed). */
  allows(): boolean;
  recordSuccess(): void;
  recordFailure(): void;
  /** Opens at once, whatever the count; a probe already running cannot close the circuit. */
  trip(): void;
  /** Cancels the probe timer; the breaker stays in its state. */
  dispose(): void;
}

/** Defaults of `CircuitBreakerOptions`. */
export const defaultCircuitBreakerOptions = { failureThreshold: 5, coolDownMs: 2000 } as const;

/** A circuit breaker (failureThreshold default 5, coolDownMs default 2000 ms). */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const failureThreshold = options.failureThreshold ?? defaultCircuitBreakerOptions.failureThreshold;
  const coolDownMs = options.coolDownMs ?? defaultCircuitBreakerOptions.coolDownMs;
  let state: CircuitState = "closed";
  let consecutiveFailures = 0;
  let openings = 0;
  // Bumped by trip(): a probe that started before the trip must not close the circuit.
  let tripEpoch = 0;
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;

  const setState = (next: CircuitState) => {
    if (next === state) return;
    state = next;
    options.onStateChange?.(next);
  };

  const open = () => {
    if (state !== "open") openings += 1;
    setState("open");
    consecutiveFailures = 0;
    clearTimeout(timer);
    if (disposed) return;
    timer = setTimeout(() => void runProbe(), coolDownMs);
    timer.unref();
  };

  const runProbe = async () => {
    setState("half-open");
    const epoch = tripEpoch;
    let healthy: boolean;
    try {
      healthy = await options.probe();
    } catch {
      healthy = false;
    }
    if (state !== "half-open") return;
    if (healthy && epoch === tripEpoch) setState("closed");
    else open();
  };

  return {
    get state() {
      return state;
    },
    get openings() {
      return openings;
    },
    allows: () => state === "closed",
    recordSuccess() {
      if (state === "closed") consecutiveFailures = 0;
    },
    recordFailure() {
      // Failures of calls let through before the circuit opened change nothing more.
      if (state !== "closed") return;
      consecutiveFailures += 1;
      if (consecutiveFailures >= failureThreshold) open();
    },
    trip() {
      tripEpoch += 1;
      if (state === "closed") open();
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
