import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "./redis-process";

/**
 * Gateways as operating-system processes (`node -r ts-node/register/transpile-only src/index.ts`,
 * as `npm start` runs it), each on a free port of its own, configured only through its environment:
 * the checker's settings plus the CACHE_TEST_* faults. Nothing is shared with the checker's process
 * but PostgreSQL and Redis, as with instances behind a load balancer.
 *
 * Every process started is remembered until it is stopped, so a test's `afterAll` can stop what a
 * failed or timed-out run left behind (`stopGatewayProcesses`), by pid.
 */

export interface GatewayProcess {
  url: string;
  pid: number;
  /** Fills the guard refused, over every family (its /metrics). */
  rejectedWrites(): Promise<number>;
  /** Hits its near cache served, over every family (0 without a near cache). */
  nearHits(): Promise<number>;
  /** The last 8000 characters the process wrote (its log, at LOG_LEVEL). */
  output(): string;
  /** SIGTERM (the gateway drains and exits), SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const repoRoot = path.resolve(__dirname, "../..");
const running = new Set<GatewayProcess>();

/**
 * Starts one gateway process with `settings` (the gateway's environment variables; PORT is
 * chosen here) and resolves once its /ready answers 200 with its cache store answering too (a
 * cluster's slot map takes a moment; a write before then could not invalidate). The child's environment is `settings`
 * over PATH and HOME only, so variables of the caller's shell (REDIS_URL, DATABASE_URL) cannot
 * leak into it. A process that exits or is not ready within `timeoutMs` is killed and its
 * output is in the error.
 */
export async function startGatewayProcess(settings: Record<string, string>, timeoutMs = 240_000): Promise<GatewayProcess> {
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...settings, PORT: String(port) };
  const args = ["--experimental-vm-modules", "--no-warnings", "-r", "ts-node/register/transpile-only", "src/index.ts"];
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const url = `http://127.0.0.1:${port}/`;
  const gateway: GatewayProcess = {
    url,
    pid: child.pid!,
    rejectedWrites: () => cacheEvents(url, "rejectedWrite"),
    nearHits: () => cacheEvents(url, "nearHit"),
    output: () => output,
    stop: (graceMs = 20_000) => stopChild(child, graceMs).finally(() => running.delete(gateway)),
  };
  running.add(gateway);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(gateway);
      throw new Error(`gateway process on port ${port} exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    if (Date.now() > deadline) {
      await gateway.stop(0);
      throw new Error(`gateway process on port ${port} not ready after ${timeoutMs} ms:\n${output}`);
    }
    if (await ready(url)) return gateway;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// /ready says 200 once the database answers; `cache` is true once the store does (null: none configured).
async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL("/ready", url));
    return response.ok && ((await response.json()) as { cache: boolean | null }).cache !== false;
  } catch {
    return false;
  }
}

/** Stops every gateway process started here and not stopped yet (a test's afterAll, after a failure). */
export async function stopGatewayProcesses(): Promise<void> {
  await Promise.all([...running].map((gateway) => gateway.stop()));
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(child.pid!, graceMs > 0 ? "SIGTERM" : "SIGKILL");
  const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

// The gateway's own counters, read from its /metrics as Prometheus would: the sum over families of
// catalog_cache_events_total{event="<event>"}.
async function cacheEvents(url: string, event: string): Promise<number> {
  const response = await fetch(new URL("/metrics", url));
  if (!response.ok) throw new Error(`GET /metrics of ${url} answered ${response.status}`);
  let total = 0;
  for (const [, labels, value] of (await response.text()).matchAll(/^catalog_cache_events_total\{([^}]*)\} (\S+)$/gm)) {
    if (labels.includes(`event="${event}"`)) total += Number(value);
  }
  return total;
}
