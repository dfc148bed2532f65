import { spawn, type ChildProcess } from "node:child_process";
import { repoRoot } from "../gateway-process";
import type { PeerName } from "./index";

/**
 * Starts one peer as a process of its own (`serve.ts <name>`, as the gateway is started by
 * `startGatewayProcess`), with `env` over the environment, and resolves once it answers a GraphQL
 * POST with 200. `timeoutMs` bounds the start (default 60000: the in-memory peer loads the catalog first).
 */
export function startPeerProcess(name: PeerName, env: Record<string, string>, timeoutMs = 60_000): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--no-warnings", "-r", "ts-node/register/transpile-only", "bench/peers/serve.ts", name], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${env.PORT}/`;
  const probe = { method: "POST", headers: { "content-type": "application/json" }, body: `{"query":"{ __typename }"}` };
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = async () => {
      if (child.exitCode !== null) return reject(new Error(`${name} exited:\n${output}`));
      if (Date.now() > deadline) return reject(new Error(`${name} did not start:\n${output}`));
      const ok = await fetch(url, probe).then((r) => r.ok, () => false);
      if (ok) resolve({ child, url });
      else setTimeout(poll, 200);
    };
    void poll();
  });
}
