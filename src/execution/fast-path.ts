import type { ApolloServerPlugin } from "@apollo/server";
import type { DocumentNode, ExecutionResult, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { IncomingMessage } from "node:http";
import { LRUCache } from "lru-cache";
import type { Context, RequestRecord } from "../context";
import type { JsonLimits } from "../edge/json-limits";
import type { RateLimits } from "../edge/rate-limit";
import { sha256Hex, type TrustedDocuments } from "../edge/trusted-documents";
import { cacheTraceHeader } from "../plugins/cache-trace";
import { refusedInput } from "../plugins/input-limits";
import type { OperationLimits } from "../plugins/operation-limits";
import { chargeOperation } from "../plugins/rate-limits";
import { withSearchNotices } from "../plugins/search-notices";
import type { TreeAnswers } from "../plugins/tree-answers";
import { mayRun } from "../plugins/trusted-documents";
import type { ResponseCache } from "../response-cache";
import type { Executor } from "./compiled-executor";

/**
 * The fast path of an executed query (issue #12): a POST of a document Apollo Server has already
 * run successfully as a query, by the same text and `operationName`, is executed without Apollo's
 * request pipeline (its HeaderMap and request parsing, eleven plugins' hooks per phase, the document
 * store lookup, the response's formatting), by the same executor over the same parsed, validated
 * document, with what the gateway's plugins do for such a request done here, by the same functions:
 * - the input limits (`refusedInput`), the cost limit and its memo (`OperationLimits.acceptedCost`),
 *   trusted documents (`mayRun`), the rate limits' charge (`chargeOperation`);
 * - tree answers (`TreeAnswers.find`), search notices (`withSearchNotices`), telemetry's record
 *   (operation name, cost, executed, no error codes), the response cache's verdict (`judge`), so
 *   the handler keeps and reuses the answer as it does Apollo's;
 * - Apollo's serialization (`JSON.stringify` of `{ data, extensions }` and a newline) and content
 *   type (the one Apollo negotiated for the same `Accept` header, learned from its answers).
 *
 * Anything unusual is Apollo's, so its answers (error formatting, statuses) stay the reference: a
 * GET, a cache trace, `extensions` (APQ hashes the edge did not resolve), a body Apollo would refuse
 * or read otherwise, an unknown document, `Accept` or content type, a refusal (input, cost, trusted
 * documents: decided before the charge, so Apollo charges it once), and a result with any error
 * (variable coercion included): it is discarded and the request runs through Apollo as before. A
 * request handed back after its charge is not charged again (`record.rateRefusal` holds the verdict
 * the rate limits plugin answers); queries have no side effects, so running one twice is safe.
 *
 * Chosen over envelop's pattern (parse, validate and compile caches as plugins of one pipeline):
 * Apollo Server 5 has no hook that skips its own per-request work, and what it costs (about 8% of a
 * cached productBySku in the profile, more with allocations) is what is left to win.
 */
export interface FastPath {
  /** Learns the documents Apollo answers without errors as queries (and stops the fast path when Apollo stops). */
  plugin: ApolloServerPlugin<Context>;
  /** The answer of a known query, or null: Apollo answers (`record` may hold the charge's verdict). */
  run(req: IncomingMessage, body: unknown, record: RequestRecord, createContext: () => Promise<Context>): Promise<FastAnswer | null>;
  /** Learns the content type of a 200 Apollo answered a POST with in one body, for its `Accept` header. */
  learnContentType(req: IncomingMessage, status: number, contentType: string | undefined): void;
  readonly counters: FastPathCounters;
}

/** A query answered by the fast path: status 200, this content type and body; `context` is the request's. */
export interface FastAnswer {
  context: Context;
  contentType: string;
  body: string;
}

/** Counts since the fast path was created, for tests and the bench. */
export interface FastPathCounters {
  /** Requests answered by the fast path. */
  answered: number;
  /** Requests of a known document handed to Apollo once started: a refusal or an error. */
  handedBack: number;
}

export interface FastPathOptions {
  /** The executor Apollo runs (EXECUTOR=jit), or graphql-js's (`createExecutor("graphql-js")`) for EXECUTOR=graphql-js. */
  executor: Executor;
  inputLimits: JsonLimits;
  operationLimits: OperationLimits;
  /** Null when there are none (tests). */
  rateLimits: RateLimits | null;
  trustedDocuments: TrustedDocuments;
  treeAnswers: TreeAnswers;
  /** The whole-response cache, told its verdict on every answer; null when off. */
  responses: ResponseCache | null;
  /** Known operations kept (least recently used dropped first). Default 1000. */
  maxDocuments?: number;
}

/** A document as Apollo ran it: parsed and validated once, with its resolved operation. */
interface KnownOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The operation's own name (null when anonymous), as Apollo resolved it. */
  operationName: string | null;
  queryHash: string;
}

// `Accept` headers remembered with their content type: clients send a handful.
const MAX_ACCEPT_HEADERS = 64;

/** A fast path over `options` (see FastPath). */
export function createFastPath(options: FastPathOptions): FastPath {
  const { executor, responses, rateLimits, treeAnswers } = options;
  const counters: FastPathCounters = { answered: 0, handedBack: 0 };
  const known = new LRUCache<string, KnownOperation>({ max: options.maxDocuments ?? 1000 });
  const contentTypes = new Map<string, string>();
  let stopped = false;

  async function answer(request: PlainRequest, operation: KnownOperation, context: Context, contentType: string): Promise<FastAnswer | null> {
    const { record } = context;
    const { schema, document, queryHash } = operation;
    // Telemetry's plugin: the name once resolved.
    record.operationName = operation.operationName;
    if (refusedInput(request, options.inputLimits)) return null;
    const cost = options.operationLimits.acceptedCost(schema, document, request.variables, request.operationName);
    if (cost === null) return null;
    context.operationCost = cost;
    if (!(await mayRun(options.trustedDocuments, context.authentication, queryHash))) return null;
    if (rateLimits && (await chargeOperation(rateLimits, context, cost, false))) return null;
    // Telemetry's executionDidStart.
    record.executed = true;
    record.cost = cost;

    const tree = await treeAnswers.find({ document, operation: operation.operation, operationName: operation.operationName, variables: request.variables, context });
    let result: ExecutionResult;
    if (tree && "data" in tree) {
      result = { data: tree.data };
    } else {
      result = await executor.execute({
        schema,
        document,
        operation: operation.operation,
        operationName: operation.operationName,
        variables: request.variables,
        contextValue: context,
        queryHash,
      });
      if (result.errors?.length || !result.data) return null;
      tree?.keep(result.data);
    }
    record.errorCodes = [];
    responses?.judge(context, { operation: operation.operation, document, schema, errorFree: true });
    // Apollo's prettyJSONStringify of its ordered result ({ errors, data, extensions }; no errors here).
    const body = JSON.stringify({ data: result.data, extensions: withSearchNotices(result.extensions, context) }) + "\n";
    return { context, contentType, body };
  }

  return {
    counters,

    plugin: {
      async serverWillStart() {
        return {
          async serverWillStop() {
            stopped = true;
          },
        };
      },
      async requestDidStart({ request }) {
        return {
          async willSendResponse({ response, document, operation, operationName, queryHash, schema }) {
            if (operation?.operation !== "query" || !document || queryHash === undefined) return;
            if (response.body.kind !== "single" || response.body.singleResult.errors?.length) return;
            const key = keyOf(queryHash, request.operationName);
            if (!known.has(key)) known.set(key, { schema, document, operation, operationName: operationName ?? null, queryHash });
          },
        };
      },
    },

    async run(req, body, record, createContext) {
      if (stopped || req.method !== "POST" || req.headers[cacheTraceHeader] !== undefined) return null;
      const contentType = contentTypes.get(req.headers.accept ?? "");
      if (contentType === undefined || !isJson(req.headers["content-type"])) return null;
      const request = plainRequest(body);
      if (!request) return null;
      const operation = known.get(keyOf(sha256Hex(request.query), request.operationName));
      if (!operation) return null;
      let context: Context;
      try {
        context = await createContext();
      } catch {
        // Apollo builds it again and answers its failure.
        return null;
      }
      const answered = await answer(request, operation, context, contentType).catch(() => null);
      if (!answered) {
        counters.handedBack += 1;
        // Apollo records the request afresh; only the charge (and its verdict) stays.
        Object.assign(record, { operationName: null, cost: null, errorCodes: [], executed: false });
        return null;
      }
      counters.answered += 1;
      return answered;
    },

    learnContentType(req, status, contentType) {
      if (status !== 200 || contentType === undefined || req.method !== "POST") return;
      const accept = req.headers.accept ?? "";
      if (contentTypes.size < MAX_ACCEPT_HEADERS && !contentTypes.has(accept)) contentTypes.set(accept, contentType);
    },
  };
}

/** What Apollo reads of a POST body, when it reads it as the fast path does. */
interface PlainRequest {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

// A body Apollo reads as { query, variables, operationName } with nothing else that matters: no
// batch, no `extensions` (persisted queries), no value Apollo refuses or ignores (a variables string,
// an empty operation name, which names no operation). Anything else: null (Apollo answers).
function plainRequest(body: unknown): PlainRequest | null {
  if (!isRecord(body)) return null;
  const { query, variables, operationName, extensions } = body;
  if (typeof query !== "string" || (extensions !== undefined && extensions !== null)) return null;
  if (variables !== undefined && variables !== null && !isRecord(variables)) return null;
  if (operationName !== undefined && operationName !== null && (typeof operationName !== "string" || operationName === "")) return null;
  return { query, variables: variables ?? undefined, operationName: operationName ?? undefined };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

// A JSON body (so not one of the "simple" content types Apollo's CSRF prevention refuses).
function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);
}

// The document's hash and the operation name as the request sent it (none and "" differ for Apollo).
function keyOf(queryHash: string, operationName: string | undefined): string {
  return operationName === undefined ? queryHash : `${queryHash}\0${operationName}`;
}
