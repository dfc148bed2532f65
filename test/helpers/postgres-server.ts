import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./redis-server";

/**
 * A PostgreSQL cluster of a test's own (initdb + pg_ctl on a free port), so the test can stop and
 * start it by itself: the machine's server must stay up for every other test. Debian keeps the
 * server binaries off PATH, under /usr/lib/postgresql/<version>/bin; initdb refuses to run as root,
 * so as root the cluster runs as the `postgres` user.
 */
export interface PostgresServer {
  port: number;
  /** postgresql://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string;
  start(): void;
  /** Fast shutdown: clients' connections are closed. */
  stop(): void;
  /** Stops the server and removes its data folder. */
  destroy(): void;
}

/** The folder holding initdb and pg_ctl, or null when this machine has none (tests then skip with that reason). */
export function postgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const bin = path.join(root, version, "bin");
      if (existsSync(path.join(bin, "initdb"))) return bin;
    }
  }
  const found = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  return found ? path.dirname(found) : null;
}

/** Creates a cluster (not started unless `start` is true, the default). */
export async function createPostgresServer(options: { start?: boolean } = {}): Promise<PostgresServer> {
  const { port, dir, data, run } = await prepareCluster();
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const server = serverOf(run, port, dir, data, "");
  if (options.start ?? true) server.start();
  return server;
}

/**
 * A streaming replica of `primary` (started): `pg_basebackup -R` of it into a folder of its own,
 * on a free port, replaying `applyDelayMs` behind (recovery_min_apply_delay: a commit becomes
 * visible on the replica that long after it was made on the primary).
 */
export async function createReplicaServer(primary: PostgresServer, options: { applyDelayMs?: number } = {}): Promise<PostgresServer> {
  const { port, dir, data, run } = await prepareCluster();
  run("pg_basebackup", ["-D", data, "-R", "-X", "stream", "--no-sync", "-d", `host=127.0.0.1 port=${primary.port} user=postgres`]);
  const delay = options.applyDelayMs ? ` -c recovery_min_apply_delay=${options.applyDelayMs}ms` : "";
  const server = serverOf(run, port, dir, data, `-c hot_standby=on${delay}`);
  server.start();
  return server;
}

type Run = (command: string, args: string[]) => void;

async function prepareCluster(): Promise<{ port: number; dir: string; data: string; run: Run }> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("no PostgreSQL server binaries (initdb) on this machine");
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "cg-pg-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const run: Run = (command, args) => {
    const quoted = [path.join(bin, command), ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(" ");
    if (asRoot) execFileSync("su", ["postgres", "-s", "/bin/sh", "-c", quoted], { stdio: "pipe" });
    else execFileSync("sh", ["-c", quoted], { stdio: "pipe" });
  };
  return { port, dir, data, run };
}

function serverOf(run: Run, port: number, dir: string, data: string, extraSettings: string): PostgresServer {
  const server: PostgresServer = {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start() {
      const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off ${extraSettings}`.trim();
      run("pg_ctl", ["-D", data, "-o", settings, "-l", path.join(dir, "log"), "-w", "start"]);
    },
    stop() {
      run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    },
    destroy() {
      try {
        server.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
