import { createRedisClient } from "../../src/cache/redis-client";
import { createRedisStore } from "../../src/cache/redis-store";
import { CacheUnavailableError, createResilientStore, type ResilientStore } from "../../src/cache/resilient-store";
import type { CircuitState } from "../../src/cache/circuit-breaker";
import { ownRedis, sleep, until, type OwnRedis } from "../helpers/redis-server";

/**
 * The resilient store over a real Redis of this test's own (a redis-server on a free port, nothing
 * persisted), which the test freezes (SIGSTOP), kills and restarts on the same port.
 */

describe("resilient store over a Redis that freezes, dies and comes back", () => {
  const failureThreshold = 3;
  // Long enough that the 20 calls below all meet the open circuit however loaded the machine is.
  const coolDownMs = 1500;
  let server: OwnRedis;
  let store: ResilientStore;
  const states: CircuitState[] = [];
  let recoveries = 0;

  beforeAll(async () => {
    server = await ownRedis();
    await server.start();
    const client = createRedisClient({
      url: server.url,
      commandTimeoutMs: 100,
      connectTimeoutMs: 500,
      maxRetryDelayMs: 200,
      connectionName: "resilient-store-test",
    });
    store = createResilientStore(createRedisStore(client), {
      failureThreshold,
      coolDownMs,
      callTimeoutMs: 1000,
      onRecover: async () => void (recoveries += 1),
      onStateChange: (state) => states.push(state),
    });
  });

  afterAll(async () => {
    await store?.close();
    await server?.dispose();
  });

  it("passes calls through while Redis is up", async () => {
    // The connection is made in the background; calls fail fast until it is ready.
    let ready = false;
    for (let i = 0; i < 100 && !ready; i += 1) {
      ready = await store.ping();
      if (!ready) await sleep(20);
    }
    expect(ready).toBe(true);
    await store.set([{ key: "k:1", value: "one", ttlSeconds: 60 }]);
    expect(await store.mget(["k:1", "k:2"])).toEqual(["one", null]);
    const { reads } = await store.getOrLease(["k:2"], 5000);
    expect(reads[0].kind).toBe("lease");
    expect(await store.incr(["gen"])).toEqual([1]);
    await store.del(["k:1"]);
    expect(store.state).toBe("closed");
    expect(store.counters).toEqual({ failures: 0, timeouts: 0, rejected: 0, openings: 0 });
  });

  it("answers misses when Redis hangs, and opens after failureThreshold failures", async () => {
    server.freeze();
    const answers = [];
    for (let i = 0; i < 10; i += 1) {
      answers.push(await store.getOrLease([`k:${i}`, "k:x"], 5000, ["gen"]));
      answers.push({ mget: await store.mget([`k:${i}`]) });
    }
    // Counted, not timed: three calls waited for their command timeout, the rest met the open circuit.
    for (const answer of answers) {
      if ("mget" in answer) expect(answer.mget).toEqual([null]);
      else expect(answer).toEqual({ reads: [{ kind: "bypass" }, { kind: "bypass" }], extra: [null] });
    }
    expect(store.counters.failures).toBe(failureThreshold);
    expect(store.counters.rejected).toBe(20 - failureThreshold);
    expect(store.state).not.toBe("closed");
    expect(states[0]).toBe("open");
    expect(await store.ping()).toBe(false);
    // Fills and write-through are dropped without a call; a leased fill says it was not stored
    // (an error for the read path, not a refusal by the lease guard).
    const rejectedBefore = store.counters.rejected;
    await expect(store.setLeased([{ key: "k:2", value: "v", ttlSeconds: 60, token: "t" }])).rejects.toThrow(/setLeased of 1 key\(s\) did not happen/);
    expect(store.counters.rejected).toBe(rejectedBefore + 1);
    await expect(store.set([{ key: "k:3", value: "v", ttlSeconds: 60 }])).resolves.toBeUndefined();
  });

  it("keeps the circuit open while the probe fails, and closes once Redis answers again", async () => {
    // At least one probe runs (and times out) while Redis is still frozen.
    expect(await until(() => states.includes("half-open"), 5000)).toBe(true);
    expect(await until(() => store.state === "open", 5000)).toBe(true);
    expect(recoveries).toBe(0);
    server.thaw();
    expect(await until(() => store.state === "closed", 10_000)).toBe(true);
    expect(recoveries).toBe(1);
    expect(await store.incr(["gen"])).toEqual([2]);
    expect(await store.mget(["k:1"])).toEqual([null]);
  });

  it("throws CacheUnavailableError from del and incr when Redis is gone, opening the circuit at once", async () => {
    await server.kill();
    const openingsBefore = store.counters.openings;
    const failuresBefore = store.counters.failures;
    const error = await store.del(["k:1", "k:2"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheUnavailableError);
    expect(error).toMatchObject({ operation: "del", keys: ["k:1", "k:2"] });
    expect((error as Error).message).toMatch(/^Cache del of 2 key\(s\) did not happen/);
    // One failed invalidation is enough: reads must not come from a cache that may be stale.
    expect(store.counters.failures).toBe(failuresBefore + 1);
    expect(store.counters.openings).toBe(openingsBefore + 1);
    expect(store.state).toBe("open");
    await expect(store.incr(["gen"])).rejects.toThrow(CacheUnavailableError);
    await expect(store.del(["k:3"])).rejects.toThrow(/the circuit is open/);
    expect(await store.mget(["k:1"])).toEqual([null]);
    expect((await store.getOrLease(["k:1"], 5000)).reads).toEqual([{ kind: "bypass" }]);
  });

  it("closes after the server restarts on the same port; reads and writes work again", async () => {
    // Stays open while nothing listens.
    await sleep(coolDownMs * 2);
    expect(store.state).not.toBe("closed");
    await server.start();
    expect(await until(() => store.state === "closed", 15_000)).toBe(true);
    expect(recoveries).toBe(2);
    // A fresh server: nothing survived, and the scripts are loaded again transparently.
    expect(await store.mget(["k:1", "gen"])).toEqual([null, null]);
    const { reads } = await store.getOrLease(["k:9"], 5000);
    if (reads[0].kind !== "lease") throw new Error(`expected a lease, got ${reads[0].kind}`);
    expect(await store.setLeased([{ key: "k:9", value: "nine", ttlSeconds: 60, token: reads[0].token }])).toEqual([true]);
    expect(await store.mget(["k:9"])).toEqual(["nine"]);
    await store.del(["k:9"]);
    expect(await store.incr(["gen"])).toEqual([1]);
    expect(store.state).toBe("closed");
  });
});

describe("a gateway that starts while Redis is down", () => {
  let server: OwnRedis | undefined;
  let store: ResilientStore | undefined;

  afterAll(async () => {
    await store?.close();
    await server?.dispose();
  });

  it("answers misses at once, and uses Redis once it comes up", async () => {
    server = await ownRedis();
    const errors: Error[] = [];
    const client = createRedisClient({ url: server.url, maxRetryDelayMs: 200, onError: (e) => errors.push(e) });
    store = createResilientStore(createRedisStore(client), { failureThreshold: 2, coolDownMs: 200 });
    expect(await store.mget(["a"])).toEqual([null]);
    expect((await store.getOrLease(["a"], 5000)).reads).toEqual([{ kind: "bypass" }]);
    await expect(store.del(["a"])).rejects.toThrow(CacheUnavailableError);
    expect(await store.ping()).toBe(false);
    expect(await until(() => errors.length > 0, 5000)).toBe(true);
    expect(errors[0].message).toMatch(/ECONNREFUSED/);

    await server.start();
    expect(await until(() => store!.state === "closed", 15_000)).toBe(true);
    await store.set([{ key: "a", value: "A", ttlSeconds: 60 }]);
    expect(await store.mget(["a"])).toEqual(["A"]);
  });
});
