import { execFile, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort, startRedis } from "./redis-process";

/**
 * A Redis Cluster of a test's own: `masters` redis-server processes (and `replicasPerMaster`
 * replicas of each) with `--cluster-enabled yes` on free ports, nothing persisted, joined by
 * `redis-cli --cluster create` (which needs 3 masters; a 1-master cluster is one node given
 * every slot, for the bench). Started and stopped by pid; its folder is removed on dispose.
 */
export interface OwnRedisCluster {
  /** Every node's port, masters first (as created; a failover changes who is master). */
  ports: number[];
  /** `127.0.0.1:P1,127.0.0.1:P2,...`: REDIS_CLUSTER_NODES. */
  nodesText: string;
  nodes: { host: string; port: number }[];
  /** The redis-server process id of each node, in the order of `ports`. */
  pids: number[];
  /** SIGKILL of the node on `port` (a crash). */
  kill(port: number): Promise<void>;
  /** Kills every node and removes the folder. */
  dispose(): Promise<void>;
}

/** Why a cluster cannot be started here (a binary missing), or null. */
export function clusterUnavailableReason(): string | null {
  for (const binary of ["redis-server", "redis-cli"]) {
    if (spawnSync(binary, ["--version"]).error) return `${binary} is not installed`;
  }
  return null;
}

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function ownRedisCluster(options: { masters?: number; replicasPerMaster?: number; nodeTimeoutMs?: number } = {}): Promise<OwnRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const dir = mkdtempSync(join(tmpdir(), "cg-cluster-"));
  const children = new Map<number, ChildProcess>();
  const ports: number[] = [];
  const kill = async (port: number) => {
    const child = children.get(port);
    children.delete(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid!, "SIGKILL");
    await exited;
  };
  const dispose = async () => {
    for (const port of [...children.keys()]) await kill(port);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i += 1) {
      const port = await freePort();
      ports.push(port);
      const clusterArgs = ["--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`), "--cluster-node-timeout", String(options.nodeTimeoutMs ?? 2000)];
      // A node that never met another does not know its own address (CLUSTER SLOTS names it ""): say it.
      if (masters === 1 && replicas === 0) clusterArgs.push("--cluster-announce-ip", "127.0.0.1");
      children.set(port, await startRedis(port, dir, clusterArgs));
    }
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    if (masters === 1 && replicas === 0) await run("redis-cli", ["-p", String(ports[0]), "CLUSTER", "ADDSLOTSRANGE", "0", "16383"], { timeout: 10_000 });
    else await run("redis-cli", ["--cluster", "create", ...addresses, "--cluster-replicas", String(replicas), "--cluster-yes"], { timeout: 60_000 });
    await untilClusterOk(ports);
    return {
      ports,
      nodesText: addresses.join(","),
      nodes: ports.map((port) => ({ host: "127.0.0.1", port })),
      pids: ports.map((port) => children.get(port)!.pid!),
      kill,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

// Every node agrees the cluster is up (slots all assigned and reachable), and every replica has
// synchronised with its master (one that never did cannot be promoted by a failover).
async function untilClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const port of ports) {
    const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true }).on("error", () => undefined);
    try {
      await client.connect();
      const ready = async () => {
        if (!/cluster_state:ok/.test(await client.cluster("INFO"))) return false;
        const replication = await client.info("replication");
        return !/role:slave/.test(replication) || /master_link_status:up/.test(replication);
      };
      while (!(await ready())) {
        if (Date.now() > deadline) throw new Error(`cluster on ${ports.join(",")} did not reach cluster_state:ok with its replicas in sync`);
        await sleep(50);
      }
    } finally {
      client.disconnect();
    }
  }
}
