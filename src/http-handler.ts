import type { ApolloServer, BaseContext, HTTPGraphQLRequest } from "@apollo/server";
import { HeaderMap } from "@apollo/server";
import bodyParser from "body-parser";
import cors from "cors";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";

/** A plain GET endpoint beside GraphQL (/health, /ready, /metrics). */
export type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpHandlerOptions<TContext extends BaseContext> {
  /** Web origins CORS allows (credentials included). */
  corsOrigins: string[];
  /** Largest JSON body accepted. Default "1mb". */
  bodyLimit?: string;
  /** GET routes by exact path; every other request goes to GraphQL. */
  routes: Record<string, Route>;
  context: (req: IncomingMessage) => Promise<TContext>;
  /**
   * Whole-response cache for anonymous queries: `lookup` answers before Apollo runs; `save` gets the
   * executed response and its context (which says whether it may be kept). Default none.
   */
  responseCache?: {
    eligible(req: IncomingMessage, body: unknown): string | null;
    lookup(requestKey: string): Promise<string | null>;
    save(requestKey: string, body: string, context: TContext): Promise<void>;
  };
}

/**
 * The gateway's HTTP entry, shaped like Apollo's standalone server (CORS, a JSON body parser, then
 * `executeHTTPGraphQLRequest`) plus a few GET routes. Express is not used: its router and its ETag
 * hashing of every response cost more than executing a cached query.
 */
export function createHttpHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  options: HttpHandlerOptions<TContext>,
): RequestListener {
  const corsHandler = cors({ origin: options.corsOrigins, credentials: true });
  const jsonHandler = bodyParser.json({ limit: options.bodyLimit ?? "1mb" });
  const fail = (res: ServerResponse, status: number, message: string) => {
    res.statusCode = status;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ errors: [{ message, extensions: { code: status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST" } }] }));
  };

  return (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    const route = req.method === "GET" ? options.routes[path] : undefined;
    if (route) {
      Promise.resolve(route(req, res)).catch(() => fail(res, 500, "Internal server error"));
      return;
    }
    corsHandler(req, res, (corsError?: unknown) => {
      if (corsError) return fail(res, 400, "CORS request refused");
      jsonHandler(req, res, (parseError?: { status?: number; message?: string }) => {
        if (parseError) return fail(res, parseError.status ?? 400, `Invalid request body: ${parseError.message ?? "unreadable"}`);
        const body = (req as IncomingMessage & { body?: unknown }).body;
        const requestKey = req.method === "POST" ? (options.responseCache?.eligible(req, body) ?? null) : null;
        void (requestKey === null ? Promise.resolve(null) : options.responseCache!.lookup(requestKey)).then((cached) => {
          if (cached !== null) {
            res.statusCode = 200;
            res.setHeader("content-type", "application/json; charset=utf-8");
            return void res.end(cached);
          }
          execute(requestKey, body);
        });
      });
    });

    function execute(requestKey: string | null, body: unknown) {
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
      }
      const request: HTTPGraphQLRequest = {
        method: (req.method ?? "GET").toUpperCase(),
        headers,
        search: new URL(req.url ?? "/", "http://gateway").search,
        body,
      };
      let context: TContext | undefined;
      apollo
        .executeHTTPGraphQLRequest({ httpGraphQLRequest: request, context: async () => (context = await options.context(req)) })
        .then(async (response) => {
          for (const [key, value] of response.headers) res.setHeader(key, value);
          res.statusCode = response.status ?? 200;
          if (response.body.kind === "complete") {
            // Saved before the answer goes out, so the client's next identical request can hit.
            if (requestKey !== null && context && res.statusCode === 200) {
              await options.responseCache!.save(requestKey, response.body.string, context);
            }
            return void res.end(response.body.string);
          }
          for await (const chunk of response.body.asyncIterator) res.write(chunk);
          res.end();
        })
        .catch(() => fail(res, 500, "Internal server error"));
    }
  };
}
