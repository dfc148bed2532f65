import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Readiness } from "./runtime";

/** A plain GET endpoint beside GraphQL. */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * The GET endpoints beside GraphQL, by exact path:
 * - `/health`: the process is alive (200 as long as it answers);
 * - `/ready`: 200 when the database answers, else 503; the cache store and the vector index are
 *   reported, not required (without them requests read the database and search answers from text);
 * - `/metrics`: Prometheus text format.
 */
export function createRoutes(parts: { readiness(): Promise<Readiness>; registry: Registry }): Record<string, Route> {
  return {
    "/health": (_req, res) => json(res, 200, { status: "ok" }),
    "/ready": async (_req, res) => {
      const readiness = await parts.readiness();
      json(res, readiness.database ? 200 : 503, { status: readiness.database ? "ready" : "unavailable", ...readiness });
    },
    "/metrics": async (_req, res) => {
      res.setHeader("content-type", parts.registry.contentType);
      res.end(await parts.registry.metrics());
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}
