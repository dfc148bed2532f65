import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/** The repository root: benchmarks start the gateway from it, as `npm start` would. */
export const repoRoot = path.resolve(__dirname, "..");

/** A GraphQL request body. */
export const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

/**
 * Starts the gateway as a process of its own (so the load generator does not share its event
 * loop) with `env` over the environment, and resolves once /ready answers 200 and no first
 * embedding of the catalog runs (/health answers while the catalog is still being prepared, and
 * /ready is 200 while the vectors are embedded in the background). `timeoutMs` bounds the
 * start (embedding a large catalog at first start takes minutes). Default 60000.
 */
export function startGatewayProcess(env: Record<string, string>, timeoutMs = 60_000, root = repoRoot): Promise<{ child: ChildProcess; url: string }> {
  const url = `http://127.0.0.1:${env.PORT}/`;
  const args = ["--experimental-vm-modules", "--no-warnings", ...nodeFlagsOf(env), "-r", "ts-node/register/transpile-only", "src/index.ts"];
  const ready = () =>
    fetch(new URL("/ready", url)).then(
      async (r) => r.ok && !(await r.json()).vectors?.indexing,
      () => false,
    );
  return startServerProcess("gateway", args, env, timeoutMs, ready, root);
}

// BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): extra flags of the gateway's node, to profile it under load.
function nodeFlagsOf(env: Record<string, string>): string[] {
  return (env.BENCH_NODE_FLAGS ?? process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean);
}

/**
 * Spawns `node <args>` from the repository root (or `root`, another checkout) with `env` over the environment (PORT included)
 * and resolves once `ready()` says so; rejects with the process's output if it exits or
 * `timeoutMs` passes first. Shared by the gateway and the bench's peers.
 */
export function startServerProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  ready: () => Promise<boolean>,
  root = repoRoot,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${env.PORT}/`;
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = async () => {
      if (child.exitCode !== null) return reject(new Error(`${name} exited:\n${output}`));
      if (Date.now() > deadline) return reject(new Error(`${name} did not start:\n${output}`));
      if (await ready()) resolve({ child, url });
      else setTimeout(poll, 200);
    };
    void poll();
  });
}

/** Stops a gateway process with SIGTERM and waits for it to exit. */
export async function stopGatewayProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** POSTs a GraphQL body and returns the parsed response. */
export async function post(url: string, payload: string): Promise<any> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: payload });
  return response.json();
}
