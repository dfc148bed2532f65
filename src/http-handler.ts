import type { ApolloServer, HTTPGraphQLRequest } from "@apollo/server";
import { HeaderMap } from "@apollo/server";
import bodyParser from "body-parser";
import cors from "cors";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createRequestRecord, type Context, type RequestRecord } from "./context";
import { memoizeCors } from "./edge/cors-memo";
import type { FastPath } from "./execution/fast-path";
import { createClientAddress, type ClientAddress } from "./edge/rate-limit-address";
import { rateLimitedRefusal, type RateLimits } from "./edge/rate-limit";
import { findRoute, type Route } from "./http-routes";
import type { Logger } from "./logger";
import { createMissCollapse } from "./miss-collapse";
import type { CacheOutcome, Telemetry } from "./plugins/telemetry";
import { etagMatches, graphqlParamsOf, type CachedAnswer, type ResponseCache } from "./response-cache";

/** Why the edge refused a request: sent as a GraphQL error with `extensions.code` (and `field` when given). */
export interface EdgeRefusal {
  status: number;
  code: string;
  message: string;
  field?: string;
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
  /** Extra `extensions` of the error (e.g. `retryAfter`). */
  extensions?: Record<string, unknown>;
}

/**
 * A check of a parsed request that runs before anything answers it; null lets it through. It gets
 * the request's GraphQL parameters: the JSON body of a POST, the query string of a GET.
 */
export type EdgeCheck = (req: IncomingMessage, params: unknown) => EdgeVerdict | Promise<EdgeVerdict>;

/** What an edge check decides: refuse, go on with other parameters (a persisted document resolved to its text; POST only), or go on (null). */
export type EdgeVerdict = EdgeRefusal | { body: unknown } | null;

export interface HttpHandlerOptions {
  /** Web origins CORS allows (credentials included). */
  corsOrigins: string[];
  /** Largest JSON body accepted. Default "1mb". */
  bodyLimit?: string;
  /** GET routes by path (src/http-routes.ts, `findRoute`); every other request goes to GraphQL. */
  routes: Record<string, Route>;
  /** The request's context, built only when the request is executed; `record` is the handler's record of the request. */
  context: (req: IncomingMessage, record: RequestRecord) => Promise<Context>;
  /** The client's address for the rate limits (src/edge/rate-limit-address.ts). Default: the socket's peer. */
  clientAddress?: ClientAddress;
  /** Charges a cached answer its remembered cost, and an edge refusal 1 (executed requests: src/plugins/rate-limits.ts). Default none. */
  rateLimits?: RateLimits | null;
  /** Told of every GraphQL request once answered (src/plugins/telemetry.ts). Default none. */
  telemetry?: Telemetry | null;
  /** Run in order on every GraphQL request, before the response cache and Apollo; the first refusal answers. Default none. */
  edgeChecks?: EdgeCheck[];
  /** Known queries executed without Apollo's pipeline (src/execution/fast-path.ts); null: Apollo executes every request. Default none. */
  fastPath?: FastPath | null;
  /** The whole-response cache (src/response-cache.ts); null: every request is executed. */
  responseCache: ResponseCache | null;
  /** Where a request that fails unexpectedly (answered 500) is logged, at level error. */
  logger: Logger;
}

/**
 * The gateway's HTTP entry, shaped like Apollo's standalone server (CORS, a JSON body parser, then
 * `executeHTTPGraphQLRequest`) plus the GET routes. Express is not used: its router and its ETag
 * hashing of every response cost more than executing a cached query.
 *
 * The path of a GraphQL request, in this order: CORS -> body parser -> edge checks -> whole-response
 * cache admission (token verified) and lookup (a hit spends its remembered cost of the rate limits)
 * -> the fast path of a known query, else Apollo (context, parse, validate, rate limits, execute)
 * -> whole-response cache save -> reply,
 * with its HTTP cache headers (ETag, 304, Cache-Control) -> telemetry.
 */
export function createHttpHandler(apollo: ApolloServer<Context>, options: HttpHandlerOptions): RequestListener {
  const corsHandler = memoizeCors(cors({ origin: options.corsOrigins, credentials: true }));
  const jsonHandler = bodyParser.json({ limit: options.bodyLimit ?? "1mb" });
  const edgeChecks = options.edgeChecks ?? [];
  const responses = options.responseCache;
  // Identical misses executed once per process (src/miss-collapse.ts).
  const collapse = createMissCollapse<CachedAnswer>();
  const rateLimits = options.rateLimits ?? null;
  const clientAddress = options.clientAddress ?? createClientAddress();
  const fastPath = options.fastPath ?? null;

  return (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    const route = req.method === "GET" ? findRoute(options.routes, path) : undefined;
    if (route) {
      Promise.resolve(route(req, res)).catch((error: unknown) => failUnexpectedly(req, res, error, null));
      return;
    }
    corsHandler(req, res, (corsError?: unknown) => {
      if (corsError) return fail(res, 400, "CORS request refused");
      jsonHandler(req, res, (parseError?: { status?: number; message?: string }) => {
        if (parseError) return fail(res, parseError.status ?? 400, `Invalid request body: ${parseError.message ?? "unreadable"}`);
        const body = (req as IncomingMessage & { body?: unknown }).body;
        answer(req, res, body).catch((error: unknown) => failUnexpectedly(req, res, error, null));
      });
    });
  };

  async function answer(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const started = performance.now();
    const record = createRequestRecord(clientAddress(req));
    let cache: CacheOutcome = "none";
    try {
      cache = await respond(req, res, body, record);
    } catch (error) {
      // Answered before telemetry is told, so the request counts with its 500 (result "error").
      failUnexpectedly(req, res, error, record.operationName);
    } finally {
      options.telemetry?.finish(record, { cache, durationMs: performance.now() - started, status: res.statusCode });
    }
  }

  // A bug, not a bad request: logged with what identifies the request, answered with a coded 500.
  function failUnexpectedly(req: IncomingMessage, res: ServerResponse, error: unknown, operationName: string | null): void {
    const path = (req.url ?? "/").split("?", 1)[0];
    options.logger.error({ err: error, method: req.method, path, operation: operationName }, "request failed unexpectedly: answered 500");
    fail(res, 500, "Internal server error");
  }

  async function respond(req: IncomingMessage, res: ServerResponse, body: unknown, record: RequestRecord): Promise<CacheOutcome> {
    let params = graphqlParamsOf(req, body);
    for (const check of edgeChecks) {
      const verdict = await check(req, params);
      if (verdict === null) continue;
      if (!("body" in verdict)) {
        await refuseAtEdge(res, verdict, record);
        return "none";
      }
      params = body = verdict.body;
    }
    const requestKey = responses ? await responses.admit(req, params) : null;
    if (requestKey === null) {
      await execute(req, res, body, null, record);
      return "none";
    }
    // An identical execution running: wait for it, then look up (miss-collapse.ts `running`).
    let cached = collapse.running(requestKey) ? responses!.missed() : await responses!.lookup(requestKey);
    if (cached === null) {
      const after = await collapse.afterMiss(requestKey, () => responses!.lookup(requestKey, { joined: true }));
      if ("execute" in after) {
        await after.execute(() => execute(req, res, body, requestKey, record));
        return "miss";
      }
      responses!.coalesced();
      cached = after.answer;
    }
    record.operationName = cached.operationName;
    record.cost = cached.cost;
    // A cached answer spends the caller's budget as its execution did. A kept answer may be a
    // viewer's (a public one): it is charged to the IP here, like every request the edge answers.
    if (rateLimits) {
      record.rateCharged = true;
      const refusal = await rateLimits.charge({ ip: record.clientIp, subject: null, failedAuth: false, write: false }, cached.cost ?? 1);
      if (refusal) {
        await refuseAtEdge(res, rateLimitedRefusal(refusal), record);
        return "hit";
      }
    }
    reuse(req, res, cached);
    return "hit";
  }

  /** Sends `refusal`; a request refused before its cost is known spends 1 of the caller's budget. */
  async function refuseAtEdge(res: ServerResponse, refusal: EdgeRefusal, record: RequestRecord): Promise<void> {
    record.errorCodes = [refusal.code];
    if (typeof refusal.extensions?.limit === "string") record.refusalLimit = refusal.extensions.limit;
    refuse(res, refusal);
    if (rateLimits && !record.rateCharged) {
      record.rateCharged = true;
      await rateLimits.charge({ ip: record.clientIp, subject: null, failedAuth: false, write: false }, 1);
    }
  }

  // A kept or just-executed public answer: 304 without the body when the client holds it.
  function reuse(req: IncomingMessage, res: ServerResponse, answer: CachedAnswer): void {
    for (const [key, value] of Object.entries(responses!.headers(answer))) res.setHeader(key, value);
    if (etagMatches(req.headers["if-none-match"], answer.etag)) {
      res.statusCode = 304;
      return void res.end();
    }
    res.statusCode = 200;
    // An executed answer keeps the type Apollo negotiated; a kept one is sent as JSON.
    if (!res.hasHeader("content-type")) res.setHeader("content-type", "application/json; charset=utf-8");
    res.end(answer.body);
  }

  async function execute(req: IncomingMessage, res: ServerResponse, body: unknown, requestKey: string | null, record: RequestRecord): Promise<void> {
    const fast = fastPath ? await fastPath.run(req, body, record, () => options.context(req, record)) : null;
    if (fast) {
      res.statusCode = 200;
      res.setHeader("content-type", fast.contentType);
      return sendExecuted(req, res, requestKey, fast.body, fast.context);
    }
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
    let context: Context | undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: request,
      context: async () => (context = await options.context(req, record)),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      fastPath?.learnContentType(req, res.statusCode, response.headers.get("content-type"));
      return sendExecuted(req, res, requestKey, response.body.string, context);
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  // An executed answer: a 200 is settled with the response cache (kept before it goes out, so the
  // client's next identical request can hit) and sent with its HTTP cache headers.
  async function sendExecuted(req: IncomingMessage, res: ServerResponse, requestKey: string | null, body: string, context: Context | undefined): Promise<void> {
    if (responses && context && res.statusCode === 200) {
      const answer = await responses.settle(requestKey, body, context);
      if (answer) return reuse(req, res, answer);
      for (const [key, value] of Object.entries(responses.noStore)) res.setHeader(key, value);
    }
    res.end(body);
  }
}

function refuse(res: ServerResponse, refusal: EdgeRefusal): void {
  for (const [key, value] of Object.entries(refusal.headers ?? {})) res.setHeader(key, value);
  const extensions = { code: refusal.code, ...(refusal.field ? { field: refusal.field } : {}), ...refusal.extensions };
  send(res, refusal.status, { errors: [{ message: refusal.message, extensions }] });
}

function fail(res: ServerResponse, status: number, message: string): void {
  send(res, status, { errors: [{ message, extensions: { code: status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST" } }] });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}
