import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
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
 * - `/storefront/*`: the storefront's build (src/http-static.ts), index.html for its pages;
 * - `/graphiql`: the offline explorer (see `explorerRoutes`), where introspection is on.
 * A key ending in `/*` answers every path under its first segment (see `findRoute`).
 */
export function createRoutes(parts: {
  readiness(): Promise<Readiness>;
  registry: Registry;
  config: { http: { introspection: boolean } };
}): Record<string, Route> {
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
    // Beside the landing page: both go with introspection (off in production by default).
    ...(parts.config.http.introspection ? explorerRoutes() : {}),
  };
}

const storefront = createStaticRoute(storefrontDistDir, storefrontBasePath);

/** The route of `path`: its exact key, else the `"/<first segment>/*"` key. */
export function findRoute(routes: Record<string, Route>, path: string): Route | undefined {
  return routes[path] ?? routes[`/${path.split("/")[1]}/*`];
}

/** Where the explorer's build lands (explorer/build.cjs), from src/ in a checkout or dist/src/ when compiled. */
const EXPLORER_DIRS = [path.resolve(__dirname, "../explorer/dist"), path.resolve(__dirname, "../../explorer/dist")];

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/**
 * The offline explorer: GraphiQL and its workers, bundled by explorer/build.cjs into a few files
 * of fixed names, read once and served from memory at `/graphiql` (the page) and
 * `/graphiql/<file>`. Until a build is there (`npm start` makes it in the background on a first
 * start), `/graphiql` says so and the folder is looked at again on the next request.
 */
export function explorerRoutes(dirs: readonly string[] = EXPLORER_DIRS): Record<string, Route> {
  let files: Map<string, Route> | null = null;
  const route: Route = (req, res) => {
    files ??= loadExplorer(dirs);
    if (!files) {
      res.setHeader("retry-after", "10");
      const message =
        "The GraphiQL explorer is not built yet: on a first start `npm start` builds it in the background (reload in a minute); " +
        "otherwise run `npm run build:explorer` (or `npm run build`).";
      return text(res, 503, "text/plain; charset=utf-8", message);
    }
    const pathname = (req.url ?? "/").split("?", 1)[0];
    const serve = files.get(pathname === "/graphiql" || pathname === "/graphiql/" ? "/graphiql/index.html" : pathname);
    if (!serve) return text(res, 404, "text/plain; charset=utf-8", `No explorer file at ${pathname}`);
    return serve(req, res);
  };
  return { "/graphiql": route, "/graphiql/*": route };
}

/** The explorer's files as routes by path, or null when no folder of `dirs` holds a build (index.html is written last). */
function loadExplorer(dirs: readonly string[]): Map<string, Route> | null {
  const dir = dirs.find((candidate) => existsSync(path.join(candidate, "index.html")));
  if (!dir) return null;
  const routes = new Map<string, Route>();
  for (const file of readdirSync(dir)) {
    const body = readFileSync(path.join(dir, file));
    const type = CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream";
    routes.set(`/graphiql/${file}`, (_req, res) => text(res, 200, type, body));
  }
  return routes;
}

function text(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.statusCode = status;
  res.setHeader("content-type", type);
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}
