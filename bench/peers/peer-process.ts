import type { ChildProcess } from "node:child_process";
import { startServerProcess } from "../gateway-process";
import type { PeerName } from "./index";

/**
 * Starts one peer as a process of its own (`serve.ts <name>`, as the gateway is started by
 * `startGatewayProcess`), with `env` over the environment, and resolves once it answers a GraphQL
 * POST with 200. `timeoutMs` bounds the start (default 60000: the in-memory peer loads the catalog first).
 */
export function startPeerProcess(name: PeerName, env: Record<string, string>, timeoutMs = 60_000): Promise<{ child: ChildProcess; url: string }> {
  const url = `http://127.0.0.1:${env.PORT}/`;
  const probe = { method: "POST", headers: { "content-type": "application/json" }, body: `{"query":"{ __typename }"}` };
  return startServerProcess(name, ["--no-warnings", "-r", "ts-node/register/transpile-only", "bench/peers/serve.ts", name], env, timeoutMs, () =>
    fetch(url, probe).then((r) => r.ok, () => false),
  );
}
