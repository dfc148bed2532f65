import { execFile } from "node:child_process";
import calculateSlot from "cluster-key-slot";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { createCacheStore, type Recovery } from "../../src/cache/create-store";
import { createKeys } from "../../src/cache/keys";
import { createRedisConnection, waitForReady } from "../../src/cache/redis-client";
import { createRedisStore } from "../../src/cache/redis-store";
import { isResilientStore } from "../../src/cache/resilient-store";
import type { CacheStore } from "../../src/cache/store";
import { createLogger } from "../../src/logger";
import { stopGatewayProcesses } from "../../scripts/consistency/gateway-processes";
import { clusterUnavailableReason, ownRedisCluster, type OwnRedisCluster } from "../../scripts/consistency/redis-cluster";
import { itJudgesConsistency } from "../helpers/consistency-runs";
import { testServerUrl } from "../helpers/database";
import { until } from "../helpers/redis-server";

/**
 * The gateway on a Redis Cluster it starts itself (redis-server --cluster-enabled yes on free
 * ports, joined by redis-cli --cluster create), stopped by pid:
 * - three gateway processes (node src/index.ts, each on its own port, faults as CACHE_TEST_*
 *   settings) on one 3-master cluster and the checker's PostgreSQL database, judged by the
 *   consistency checker over HTTP: no stale read with the guard, stale reads without it (so the
 *   run can fail);
 * - a resharding under a client whose slot map is out of date: MOVED answers followed, counted;
 * - a master failover: the store notices a master it has never seen and replays recent
 *   invalidations before trusting the cache again (issue #8's guarantee, per node).
 * The store's own contract on a cluster is in cache-store.test.ts.
 */
jest.setTimeout(180_000);

const skip = clusterUnavailableReason();
if (skip) console.log(`Redis Cluster tests skipped: ${skip}`);
const describeCluster = skip ? describe.skip : describe;
const run = promisify(execFile);

describeCluster("three gateway processes on a 3-master Redis Cluster, judged by the consistency checker", () => {
  // Each run starts its own three processes (seconds each to load; minutes on a loaded machine) and
  // stops at its counts or its time cap, whichever first. Processes answer more slowly than
  // instances in the checker's process, so the races are made likely in fewer operations: fills
  // pause 150 ms (not 30) and the writes and reads crowd onto 12 products and 4 categories. The
  // assertions are counts and ratios, never speeds.
  // A run stops its processes itself; after a failure or a timeout, whatever is left is stopped here, by pid.
  afterAll(async () => {
    await stopGatewayProcesses();
  });
  const runTimeoutMs = 540_000;
  itJudgesConsistency({
    shared: { postgresUrl: testServerUrl, cluster: true, processes: true, instances: 3, fillDelayMs: 150, products: 12, categories: 4 },
    // Three operating-system processes, none of them the checker's.
    eachReport: (report) => {
      expect(new Set(report.gatewayPids).size).toBe(3);
      expect(report.gatewayPids).not.toContain(process.pid);
    },
    clean: {
      title: "finds no stale read, and the guard rejected fills across instances",
      options: { targetReads: 1500, targetWrites: 150, durationMs: 60_000 },
      timeoutMs: runTimeoutMs,
      expectMore: (report) => expect(report.rejectedWrites).toBeGreaterThan(0),
    },
    faults: [
      {
        title: "finds stale reads with the guard off",
        options: { guard: false, targetReads: 1000, targetWrites: 100, durationMs: 60_000 },
        timeoutMs: runTimeoutMs,
        expectMore: (report) => expect(report.rejectedWrites).toBe(0),
      },
    ],
  });
});

describeCluster("a resharding under a client with an old slot map", () => {
  let cluster: OwnRedisCluster;
  beforeAll(async () => {
    cluster = await ownRedisCluster({ masters: 3 });
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  it("follows MOVED for the commands of a pipeline, and for a single command, whose slots left the node, in one more round trip", async () => {
    const keys = createKeys("cgtest:reshard:");
    // The slot map is read once, at connection: it goes out of date when the slots move.
    const connection = createRedisConnection({ clusterNodes: cluster.nodes, commandTimeoutMs: 2000, slotsRefreshIntervalMs: 3_600_000 });
    const store = createRedisStore(connection);
    // A second client with its own old map, for a single command (sent on its master's own connection).
    const single = createRedisStore(createRedisConnection({ clusterNodes: cluster.nodes, commandTimeoutMs: 2000, slotsRefreshIntervalMs: 3_600_000 }));
    try {
      expect(await waitForReady(connection, 10_000)).toBe(true);
      const rows = Array.from({ length: 200 }, (_, i) => keys.productKey(i));
      await store.set(rows.map((key, i) => ({ key, value: `row ${i}`, ttlSeconds: 600 })));
      expect(await single.mget([rows[0]])).toEqual(["row 0"]); // connected, its map read
      await reshard(cluster, 3000);
      const moved = rows.findIndex((key) => calculateSlot(key) < 3000); // redis-cli moves the first slots of the master holding slot 0
      expect(moved).toBeGreaterThanOrEqual(0);
      const singleBefore = single.roundTrips;
      expect(await single.mget([rows[moved]])).toEqual([`row ${moved}`]);
      expect(single.roundTrips - singleBefore).toBe(2); // MOVED from the old master's connection, then through the client
      const before = store.roundTrips;
      expect(await store.mget(rows)).toEqual(rows.map((_, i) => `row ${i}`));
      expect(store.roundTrips - before).toBe(2); // one fan-out, then the redirected commands
      // Leases and guarded fills work on the moved slots (the client's map is now refreshed).
      const { reads } = await store.getOrLease([keys.productKey(1000), keys.productKey(1001)], 5000);
      const tokens = reads.map((read) => (read.kind === "lease" ? read.token : "none"));
      expect(await store.setLeased([{ key: keys.productKey(1000), value: "filled", ttlSeconds: 60, token: tokens[0] }])).toEqual([true]);
      await store.invalidate([keys.productKey(1001)], [keys.generationKey("prods:cat", 1)], [keys.responseVersionKey("=prod:1001", 0)]);
      expect(await store.setLeased([{ key: keys.productKey(1001), value: "stale", ttlSeconds: 60, token: tokens[1] }])).toEqual([false]);
    } finally {
      await store.close();
      await single.close();
    }
  });
});

describeCluster("a master failover on a Redis Cluster with replicas", () => {
  let cluster: OwnRedisCluster;
  beforeAll(async () => {
    cluster = await ownRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  it("fences the store until the promoted master's run id is read, then replays recent invalidations (serverChanged)", async () => {
    const recoveries: Recovery[] = [];
    const store = createCacheStore(
      {
        store: "redis",
        redisClusterNodes: cluster.nodes,
        memoryMaxEntries: 1000,
        redisCommandTimeoutMs: 500,
        circuit: { callTimeoutMs: 1000, failureThreshold: 2, coolDownMs: 200 },
      },
      createLogger("silent"),
      { onRecover: async (_direct: CacheStore, recovery: Recovery) => void recoveries.push(recovery) },
    );
    if (!store || !isResilientStore(store)) throw new Error("expected the resilient Redis store");
    const keys = createKeys("cgtest:failover:");
    try {
      const rows = Array.from({ length: 60 }, (_, i) => keys.productKey(i));
      expect(await until(async () => (await store.mget([rows[0]])).length === 1 && store.fencedBy === null && (await store.ping()), 30_000)).toBe(true);
      await store.set(rows.map((key) => ({ key, value: "v", ttlSeconds: 600 })));
      expect(await store.mget(rows)).toEqual(rows.map(() => "v"));
      const victim = await masterOf(cluster, rows[0]);
      await cluster.kill(victim);
      // The replica takes over (cluster-node-timeout 1 s); the store notices a master it never saw.
      expect(await until(() => recoveries.some((recovery) => recovery.serverChanged), 30_000)).toBe(true);
      // The promoted replica serves the dead master's slots (what it had not replicated is lost:
      // replication is asynchronous, which is why the recent invalidations were applied again).
      const served = async () => {
        await store.set(rows.map((key) => ({ key, value: "after", ttlSeconds: 600 })));
        return (await store.mget(rows)).every((value) => value === "after");
      };
      expect(await until(served, 15_000)).toBe(true);
      expect(store.fencedBy).toBeNull();
    } finally {
      await store.close();
    }
  });
});

// Moves `slots` slots from the master holding slot 0 to another master (redis-cli --cluster reshard).
async function reshard(cluster: OwnRedisCluster, slots: number): Promise<void> {
  const client = new Redis({ port: cluster.ports[0], host: "127.0.0.1" });
  try {
    const masters = ((await client.cluster("NODES")) as string)
      .split("\n")
      .filter((line) => line.includes("master"))
      .map((line) => line.split(" "));
    const from = masters.find((fields) => fields.slice(8).some((range) => range.startsWith("0-")))!;
    const to = masters.find((fields) => fields !== from)!;
    await run("redis-cli", ["--cluster", "reshard", `127.0.0.1:${cluster.ports[0]}`, "--cluster-from", from[0], "--cluster-to", to[0], "--cluster-slots", String(slots), "--cluster-yes"], {
      timeout: 120_000,
    });
  } finally {
    client.disconnect();
  }
}

// The port of the master serving `key`.
async function masterOf(cluster: OwnRedisCluster, key: string): Promise<number> {
  const client = new Redis({ port: cluster.ports[0], host: "127.0.0.1" });
  try {
    const slot = (await client.cluster("KEYSLOT", key)) as number;
    const ranges = await client.cluster("SLOTS");
    const range = ranges.find(([start, end]) => slot >= start && slot <= end)!;
    return range[2]![1];
  } finally {
    client.disconnect();
  }
}
