import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { createStaticRoute, storefrontBasePath, storefrontDistDir } from "./http-static";
import type { Readiness } from "./runtime";

/** A plain GET endpoint beside GraphQL. */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * The GET endpoints beside GraphQL, by exact path:
 * - `/health`: the process is alive (200 as long as it answers);
 * - `/ready`: 200 when the database answers, else 503; the cache store and the vector index are
 *   reported, not required (without them requests read the database and search answers from text);
 * - `/metrics`: Prometheus text format;
 * - `/storefront/*`: the storefront's build (src/http-static.ts), index.html for its pages.
 * A key ending in `/*` answers every path under its first segment (see `findRoute`).
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
    [storefrontBasePath]: storefront,
    [`${storefrontBasePath}/*`]: storefront,
  };
}

const storefront = createStaticRoute(storefrontDistDir, storefrontBasePath);

/** The route of `path`: its exact key, else the `"/<first segment>/*"` key. */
export function findRoute(routes: Record<string, Route>, path: string): Route | undefined {
  return routes[path] ?? routes[`/${path.split("/")[1]}/*`];
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}
