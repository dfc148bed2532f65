import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of a test's own, on its own port, nothing persisted; stop and start it at will. */
export interface OwnRedis {
  port: number;
  url: string;
  /** The redis-server's process id while it runs, else null. */
  readonly pid: number | null;
  start(): Promise<void>;
  /** SIGKILL: the server vanishes mid-command, as a crash would. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server stops answering but keeps its connections (a hang). */
  freeze(): void;
  thaw(): void;
  /** Kills the server and removes its folder. */
  dispose(): Promise<void>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "cg-redis-"));
  let child: ChildProcess | undefined;
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    process.kill(running.pid!, "SIGCONT");
    process.kill(running.pid!, "SIGKILL");
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid ?? null;
    },
    async start() {
      child = await startRedis(port, dir);
    },
    kill,
    freeze: () => child && process.kill(child.pid!, "SIGSTOP"),
    thaw: () => child && process.kill(child.pid!, "SIGCONT"),
    async dispose() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Spawns redis-server on `port` (127.0.0.1, nothing persisted, files in `dir`) with `extraArgs`
 * (e.g. the cluster flags), and resolves once it is ready to accept connections.
 */
export function startRedis(port: number, dir: string, extraArgs: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...extraArgs],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        // Still drained, so a chatty server never blocks on a full pipe; no longer kept.
        child.stdout!.off("data", onData).resume();
        resolve(child);
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on ${port} exited with ${code}:\n${output}`));
    });
  });
}
