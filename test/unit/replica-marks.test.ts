import { createKeys } from "../../src/cache/keys";
import { createMemoryStore } from "../../src/cache/memory-store";
import { createResilientStore } from "../../src/cache/resilient-store";
import { createReplicaFills } from "../../src/cache/replica-fills";
import { createReplicaMarks } from "../../src/cache/replica-marks";
import type { ReadReplica, ReadReplicas, ReadRepositories } from "../../src/data/read-replicas";
import { walPosition } from "../../src/data/read-replicas";

// The marks' logic over the in-process store (the same contract as Redis: cache-store.test.ts),
// and the fill's choice of database over a replica set whose positions the test sets. The real
// replicas are in test/integration/read-replica.test.ts.

const keys = createKeys("t:");
const pos = (n: number) => n.toString(16).toUpperCase().padStart(16, "0");

describe("walPosition", () => {
  it("writes an LSN as 16 hex digits whose text order is the WAL's order", () => {
    expect(walPosition("16/B374D848")).toBe("00000016B374D848");
    expect(walPosition("0/3015e48")).toBe("0000000003015E48");
    expect(walPosition("1/0") > walPosition("0/FFFFFFFF")).toBe(true);
    expect(() => walPosition("nonsense")).toThrow(/Not a PostgreSQL LSN/);
  });
});

describe("replica marks", () => {
  it("raise the scopes a footprint deletes or moves, and leave other scopes at the base", async () => {
    const store = createMemoryStore();
    const marks = createReplicaMarks(keys, 1 << 20);
    expect(await marks.required(store, [keys.productKey(1)])).toBeNull(); // no base: unknown
    await marks.restoreBase(store, async () => pos(100));
    await marks.record(store, { products: [1], listingsOf: [7] }, pos(500));
    expect(await marks.required(store, [keys.productKey(1)])).toBe(pos(500));
    expect(await marks.required(store, [keys.productKey(2), keys.generationKey("prods:cat", 7)])).toBe(pos(500));
    expect(await marks.required(store, [keys.productKey(2)])).toBe(pos(100));
    // A later write with an older position (its LSN was read before another's) never lowers a mark.
    await marks.record(store, { products: [1] }, pos(300));
    expect(await marks.required(store, [keys.productKey(1)])).toBe(pos(500));
  });

  it("with one bucket, every scope shares the highest mark (one global mark: stricter, still safe)", async () => {
    const store = createMemoryStore();
    const marks = createReplicaMarks(keys, 1);
    await marks.restoreBase(store, async () => pos(1));
    await marks.record(store, { products: [1] }, pos(9));
    expect(await marks.required(store, [keys.categoryKey(4)])).toBe(pos(9));
  });

  it("restore the base once, and never over an existing one", async () => {
    const store = createMemoryStore();
    const marks = createReplicaMarks(keys);
    let asked = 0;
    const position = async () => pos(++asked * 10);
    await Promise.all([marks.restoreBase(store, position), marks.restoreBase(store, position)]);
    await marks.restoreBase(store, position);
    expect(asked).toBe(1);
    expect(await marks.required(store, [keys.productKey(1)])).toBe(pos(10));
  });
});

describe("replica marks on a store that is down", () => {
  it("drop the base's restore instead of counting it a failed invalidation (the circuit would stay open while fills come)", async () => {
    const store = createResilientStore(createMemoryStore(), { coolDownMs: 60_000 });
    store.fence("test", "down for the test");
    const openings = store.counters.openings;
    const marks = createReplicaMarks(keys);
    await marks.restoreBase(store, async () => pos(1));
    await marks.restoreBase(store, async () => pos(1));
    expect(store.counters.openings).toBe(openings);
    expect(await marks.required(store, [keys.productKey(1)])).toBeNull(); // unknown: fills read the primary
    // A write's marks, on the other hand, must fail loudly: its invalidation then stays pending.
    await expect(marks.record(store, { products: [1] }, pos(2))).rejects.toThrow(/raise/);
    store.fence("test", null);
    await store.close();
  });
});

describe("replica fills", () => {
  const primaryRepos = { name: "primary" } as unknown as ReadRepositories;
  const replicaRepos = { name: "replica" } as unknown as ReadRepositories;
  const replica: ReadReplica = { name: "replica-0", repositories: replicaRepos, counter: { statements: 0 } };

  // A replica set at `at` (null: down); records the positions fills asked for.
  function replicaAt(state: { at: string | null }) {
    const asked: (string | null)[] = [];
    const failed: string[] = [];
    const replicas: ReadReplicas = {
      replicas: [replica],
      positionQueries: 0,
      async choose(required) {
        const position = await required;
        asked.push(position);
        if (state.at === null) return { replica: null, reason: "down" };
        return position === null || state.at >= position ? { replica } : { replica: null, reason: "lagging" };
      },
      failed: (r) => void failed.push(r.name),
      close: async () => undefined,
    };
    return { replicas, asked, failed };
  }

  async function setup(at: string | null, lsnCheck = true) {
    const store = createMemoryStore();
    const marks = createReplicaMarks(keys);
    await marks.restoreBase(store, async () => pos(100));
    await marks.record(store, { products: [1] }, pos(500));
    const state = { at };
    const { replicas, asked, failed } = replicaAt(state);
    const fills = createReplicaFills(replicas, marks, { lsnCheck, primaryPosition: async () => pos(600) });
    const where = (scope: string, load?: (on?: ReadRepositories) => Promise<string>) =>
      fills.load(store, [scope], load ?? (async (on = primaryRepos) => (on as unknown as { name: string }).name));
    return { store, state, fills, asked, failed, where };
  }

  it("read a replica that has replayed past the scope's mark, and the primary while it has not", async () => {
    const { fills, asked, where } = await setup(pos(400));
    expect(await where(keys.productKey(2))).toBe("replica"); // base 100 <= 400
    expect(await where(keys.productKey(1))).toBe("primary"); // written at 500 > 400
    expect(asked).toEqual([pos(100), pos(500)]);
    expect(fills.counts).toMatchObject({ replica: 1, primary: { lagging: 1, down: 0, unmarked: 0, failed: 0 } });
  });

  it("read the primary when the replica is down or its read fails, and say why", async () => {
    const down = await setup(null);
    expect(await down.where(keys.productKey(2))).toBe("primary");
    expect(down.fills.counts.primary.down).toBe(1);

    const failing = await setup(pos(900));
    const load = async (on?: ReadRepositories) => {
      if (on === replicaRepos) throw new Error("canceling statement due to conflict with recovery");
      return "primary";
    };
    expect(await failing.where(keys.productKey(2), load)).toBe("primary");
    expect(failing.fills.counts).toMatchObject({ replica: 0, primary: { lagging: 0, down: 0, unmarked: 0, failed: 1 } });
    expect(failing.failed).toEqual(["replica-0"]);
  });

  it("read the primary when the marks are unknown (no base), and write the base for the next fills", async () => {
    const store = createMemoryStore();
    const marks = createReplicaMarks(keys);
    const { replicas } = replicaAt({ at: pos(1000) });
    const fills = createReplicaFills(replicas, marks, { primaryPosition: async () => pos(600) });
    const load = async (on: ReadRepositories = primaryRepos) => (on as unknown as { name: string }).name;
    expect(await fills.load(store, [keys.productKey(3)], load)).toBe("primary");
    expect(fills.counts.primary.unmarked).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await marks.required(store, [keys.productKey(3)])).toBe(pos(600));
    expect(await fills.load(store, [keys.productKey(3)], load)).toBe("replica");
  });

  it("with the LSN check off, read any replica that answers, however far behind (the fault the tests show)", async () => {
    const { where, asked } = await setup(pos(1), false);
    expect(await where(keys.productKey(1))).toBe("replica");
    expect(asked).toEqual([null]);
  });
});
