import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { ownRedisCluster } from "../scripts/consistency/redis-cluster";
import { ownRedis } from "../scripts/consistency/redis-process";

/**
 * The Redis servers of one `npm run bench`: a redis-server of its own for the single-node cells and
 * a Redis Cluster of its own per master count for the cluster cells, each started on free ports and
 * stopped by pid at the end, so that every cell's Redis is the bench's alone (the machine's shared
 * Redis carries other work) and one Redis and a cluster compare like with like. What each cell's
 * servers spent is read around the cell (`sampleServers`).
 */
export interface BenchRedis {
  /** REDIS_URL of the single node, or REDIS_CLUSTER_NODES of a cluster. */
  env: Record<string, string>;
  /** Every redis-server of it (one, or a cluster's masters). */
  ports: number[];
  /** Their process ids; empty for a server the bench did not start. */
  pids: number[];
  dispose(): Promise<void>;
}

/** A redis-server of the bench's own on a free port (nothing persisted). */
export async function ownBenchRedis(): Promise<BenchRedis> {
  const server = await ownRedis();
  await server.start();
  return { env: { REDIS_URL: server.url }, ports: [server.port], pids: [server.pid!], dispose: () => server.dispose() };
}

/** A Redis that runs already (`--redis-url`): used as it is, never stopped. */
export function existingBenchRedis(url: string): BenchRedis {
  return { env: { REDIS_URL: url }, ports: [Number(new URL(url).port || 6379)], pids: [], dispose: async () => undefined };
}

/** A Redis Cluster of the bench's own with `masters` masters (1: one node holding every slot). */
export async function ownBenchCluster(masters: number): Promise<BenchRedis> {
  const cluster = await ownRedisCluster({ masters });
  return { env: { REDIS_CLUSTER_NODES: cluster.nodesText }, ports: cluster.ports, pids: cluster.pids, dispose: () => cluster.dispose() };
}

/** Binds every thread of these processes to `cpus` (taskset's list, "1" or "0,1"). */
export async function pinProcesses(pids: number[], cpus: string): Promise<void> {
  for (const pid of pids) await promisify(execFile)("taskset", ["-a", "-cp", cpus, String(pid)]);
}

/** Per server: CPU seconds spent by the process (user + system, INFO cpu) and commands run (INFO commandstats). */
export interface ServerSample {
  cpuSeconds: number[];
  calls: number[];
}

export async function sampleServers(ports: number[]): Promise<ServerSample> {
  const samples = await Promise.all(
    ports.map(async (port) => {
      const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await client.connect();
        const cpu = await client.info("cpu");
        const stats = await client.info("commandstats");
        const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(cpu)?.[1] ?? 0);
        // The sample's own INFO calls are counted too: two per server per sample, negligible beside a cell's thousands.
        const calls = [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
        return { cpuSeconds: seconds("used_cpu_user") + seconds("used_cpu_sys"), calls };
      } finally {
        client.disconnect();
      }
    }),
  );
  return { cpuSeconds: samples.map((s) => s.cpuSeconds), calls: samples.map((s) => s.calls) };
}
