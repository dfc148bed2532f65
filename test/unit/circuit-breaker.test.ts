import { createCircuitBreaker, type CircuitBreakerOptions, type CircuitState } from "../../src/cache/circuit-breaker";
import { createMemoryStore } from "../../src/cache/memory-store";
import { createResilientStore } from "../../src/cache/resilient-store";
import type { CacheStore } from "../../src/cache/store";

// The breaker keeps time only through its cool-down timer, so Jest's fake timers drive it: time
// moves when a test advances it, and no test sleeps.

/** A promise a test settles when it chooses, to hold a probe (or a recovery) in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("circuit breaker", () => {
  let states: CircuitState[];
  let probes: ReturnType<typeof deferred<boolean>>[];

  /** A breaker whose probes wait for the test (`probes[i].resolve(true)` ends the i-th). */
  const breakerWith = (options: Partial<CircuitBreakerOptions> = {}) =>
    createCircuitBreaker({
      failureThreshold: 3,
      coolDownMs: 1000,
      probe: () => {
        const probe = deferred<boolean>();
        probes.push(probe);
        return probe.promise;
      },
      onStateChange: (state) => states.push(state),
      ...options,
    });
  const fail = (breaker: { recordFailure(): void }, times: number) => {
    for (let i = 0; i < times; i += 1) breaker.recordFailure();
  };

  beforeEach(() => {
    jest.useFakeTimers();
    states = [];
    probes = [];
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("opens after failureThreshold consecutive failures, and a success in between starts the count again", () => {
    const breaker = breakerWith();
    fail(breaker, 2);
    breaker.recordSuccess();
    fail(breaker, 2);
    expect(breaker.state).toBe("closed");
    expect(breaker.allows()).toBe(true);

    breaker.recordFailure();
    expect(breaker.state).toBe("open");
    expect(breaker.allows()).toBe(false);
    expect(breaker.openings).toBe(1);
    expect(states).toEqual(["open"]);
  });

  it("probes once the cool-down has passed, stays half-open while the probe runs, and closes when it succeeds", async () => {
    const breaker = breakerWith();
    fail(breaker, 3);
    await jest.advanceTimersByTimeAsync(999);
    expect(probes).toHaveLength(0);
    expect(breaker.state).toBe("open");

    await jest.advanceTimersByTimeAsync(1);
    expect(probes).toHaveLength(1);
    expect(breaker.state).toBe("half-open");
    expect(breaker.allows()).toBe(false);

    probes[0].resolve(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe("closed");
    expect(breaker.allows()).toBe(true);
    expect(states).toEqual(["open", "half-open", "closed"]);
    // Closed again with a fresh count: one failure does not reopen it.
    breaker.recordFailure();
    expect(breaker.state).toBe("closed");
  });

  it("opens again when the probe fails or throws, and probes again after another cool-down", async () => {
    const breaker = breakerWith();
    fail(breaker, 3);
    await jest.advanceTimersByTimeAsync(1000);
    probes[0].resolve(false);
    await jest.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe("open");

    await jest.advanceTimersByTimeAsync(1000);
    expect(probes).toHaveLength(2);
    probes[1].reject(new Error("ECONNREFUSED 127.0.0.1:6379"));
    await jest.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe("open");

    await jest.advanceTimersByTimeAsync(1000);
    probes[2].resolve(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe("closed");
    expect(states).toEqual(["open", "half-open", "open", "half-open", "open", "half-open", "closed"]);
    // Each return from half-open to open counts as an opening.
    expect(breaker.openings).toBe(3);
  });

  it("ignores failures reported while it is not closed (calls let through before it opened)", async () => {
    const breaker = breakerWith();
    fail(breaker, 3);
    fail(breaker, 10);
    expect(breaker.openings).toBe(1);
    await jest.advanceTimersByTimeAsync(1000);
    fail(breaker, 10);
    expect(breaker.state).toBe("half-open");
    probes[0].resolve(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe("closed");
    expect(probes).toHaveLength(1);
  });

  it("trip() opens at once, and a probe already running when it trips cannot close the circuit", async () => {
    const breaker = breakerWith();
    breaker.trip();
    expect(breaker.state).toBe("open");
    await jest.advanceTimersByTimeAsync(1000);
    expect(breaker.state).toBe("half-open");

    breaker.trip(); // e.g. an invalidation failed while the probe was on its way
    probes[0].resolve(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe("open");

    await jest.advanceTimersByTimeAsync(1000);
    probes[1].resolve(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe("closed");
  });

  it("runs no probe after dispose() and stays where it was", async () => {
    const breaker = breakerWith();
    fail(breaker, 3);
    breaker.dispose();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(probes).toHaveLength(0);
    expect(breaker.state).toBe("open");
  });

  it("opens after 5 failures and probes after 2000 ms by default", async () => {
    const breaker = breakerWith({ failureThreshold: undefined, coolDownMs: undefined });
    fail(breaker, 4);
    expect(breaker.state).toBe("closed");
    breaker.recordFailure();
    expect(breaker.state).toBe("open");
    await jest.advanceTimersByTimeAsync(1999);
    expect(probes).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(probes).toHaveLength(1);
  });
});

// The resilient store's probe is a ping and then onRecover (the outbox replay): the circuit must
// stay half-open, letting no read through to the cache, until onRecover has finished.
describe("circuit breaker in the resilient store: onRecover", () => {
  let down: boolean;
  let store: CacheStore;

  beforeEach(() => {
    jest.useFakeTimers();
    down = false;
    const memory = createMemoryStore();
    // The in-process store, made to fail every call while `down`, as an unreachable Redis would.
    store = new Proxy(memory, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => (down ? Promise.reject(new Error("connect ECONNREFUSED")) : value.apply(target, args));
      },
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("runs onRecover after a successful ping and before the circuit closes", async () => {
    const recovery = deferred<void>();
    const seen: CircuitState[] = [];
    const resilient = createResilientStore(store, {
      failureThreshold: 2,
      coolDownMs: 1000,
      onRecover: () => {
        seen.push(resilient.state);
        return recovery.promise;
      },
    });
    await resilient.set([{ key: "k", value: "old", ttlSeconds: 60 }]);
    down = true;
    expect(await resilient.mget(["k"])).toEqual([null]);
    expect(await resilient.mget(["k"])).toEqual([null]);
    expect(resilient.state).toBe("open");

    down = false;
    await jest.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual(["half-open"]);
    // Recovery still running: reads are misses, not the cache's possibly stale value.
    expect(await resilient.mget(["k"])).toEqual([null]);
    expect(resilient.state).toBe("half-open");

    recovery.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(resilient.state).toBe("closed");
    expect(await resilient.mget(["k"])).toEqual(["old"]);
  });

  it("stays open when onRecover throws, and tries again after the next cool-down", async () => {
    let attempts = 0;
    const resilient = createResilientStore(store, {
      failureThreshold: 1,
      coolDownMs: 1000,
      onRecover: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error("outbox replay failed");
      },
    });
    down = true;
    await resilient.mget(["k"]);
    down = false;
    await jest.advanceTimersByTimeAsync(1000);
    expect(attempts).toBe(1);
    expect(resilient.state).toBe("open");
    await jest.advanceTimersByTimeAsync(1000);
    expect(attempts).toBe(2);
    expect(resilient.state).toBe("closed");
  });
});
