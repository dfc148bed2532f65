import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Registry } from "prom-client";
import type { CacheKeys } from "./cache/keys";
import type { CacheRuntime } from "./cache/read-through";
import type { Config } from "./config";
import { createContextFactory, type Context } from "./context";
import { isDatabaseUnavailable, type Database } from "./data/database";
import { createFormatError, ErrorCode } from "./errors";
import { createHttpHandler } from "./http-handler";
import { createRoutes } from "./http-routes";
import { explorerLinkPlugin } from "./plugins/explorer-link";
import type { Logger } from "./logger";
import { createExecutor, type Executor } from "./execution/compiled-executor";
import { executorGateway } from "./execution/executor-gateway";
import { createFastPath, type FastPath } from "./execution/fast-path";
import { resolvers } from "./modules";
import { cacheTracePlugin } from "./plugins/cache-trace";
import { searchNoticesPlugin } from "./plugins/search-notices";
import { createTreeAnswers, type TreeAnswers } from "./plugins/tree-answers";
import { documentInputRules } from "./edge/document-input";
import { operationLimitRules } from "./edge/operation-limits";
import { checkRequestBody } from "./edge/request-body";
import { inputLimitsPlugin } from "./plugins/input-limits";
import { createOperationLimits, type OperationLimits } from "./plugins/operation-limits";
import { rateLimitsPlugin } from "./plugins/rate-limits";
import { isEditor, trustedDocumentsPlugin } from "./plugins/trusted-documents";
import { createClientAddress } from "./edge/rate-limit-address";
import { createRuntime, type Runtime, type RuntimeOptions, type StartupProgress } from "./runtime";
import type { SearchRuntime } from "./runtime/search";

/** The schema file at the repository root: the contract clients and codegen read. */
export const schemaPath = path.resolve(__dirname, "../schema.graphql");

/** A running gateway: its URL, its parts (for tests and the bench), and how to stop it. */
export interface Gateway {
  url: string;
  config: Config;
  db: Database;
  cache: CacheRuntime;
  keys: CacheKeys;
  registry: Registry;
  logger: Logger;
  /** Search (see `createSearchRuntime`): `search.indexer` keeps the vector index in step with writes. */
  search: SearchRuntime;
  /** The compiled executor and its counters (EXECUTOR=jit); null when Apollo executes (EXECUTOR=graphql-js). */
  executor: Executor | null;
  /** The fast path of known queries and its counters; null when off (EXECUTION_FAST_PATH=off, or extra Apollo plugins given). */
  fastPath: FastPath | null;
  stop(): Promise<void>;
}

/** See `RuntimeOptions`: a database or store passed in belongs to the caller and is not closed. */
export interface GatewayOptions extends RuntimeOptions {
  /** Told the URL as soon as the port is bound, before the runtime is built (the start may wait for the database). */
  onListening?: (url: string) => void;
  /** Apollo plugins added after the gateway's own (bench/profile.ts times a request's phases); the fast path, which skips them, is then off. Default none. */
  plugins?: ApolloServerPlugin<Context>[];
}

/**
 * Binds the port first (a taken port fails the start at once), answers while the runtime is built
 * (`/health` 200, `/ready` 503 saying which step runs and why it waits, GraphQL SERVICE_UNAVAILABLE),
 * then builds the runtime (src/runtime) and serves it with Apollo Server. Resolves once it serves.
 */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  // Longer than the idle timeout of clients and load balancers (often 60 s), so a server never
  // closes a kept-alive connection just as a client reuses it (the client would see ECONNRESET).
  const httpServer = http.createServer({ keepAliveTimeout: 65_000 });
  const starting: { progress: StartupProgress | null } = { progress: null };
  let serve: http.RequestListener = (req, res) => answerWhileStarting(req, res, starting.progress);
  httpServer.on("request", (req, res) => serve(req, res));
  const url = await listen(httpServer, config.http);
  options.onListening?.(url);

  let runtime: Runtime;
  try {
    runtime = await createRuntime(config, {
      ...options,
      onProgress: (progress) => {
        starting.progress = progress;
        options.onProgress?.(progress);
      },
    });
  } catch (error) {
    httpServer.close();
    throw error;
  }
  const { logger } = runtime;
  const executor = config.execution.executor === "jit" ? createExecutor("jit", config.execution) : null;
  const extraPlugins = options.plugins ?? [];
  const operationLimits = createOperationLimits(config.limits.operation.maxCost, config.limits.cost);
  const treeAnswers = createTreeAnswers();
  const fastPath =
    config.execution.fastPath && extraPlugins.length === 0
      ? createFastPath({
          // EXECUTOR=graphql-js: graphql-js's execute over the document Apollo validated, as Apollo runs it.
          executor: executor ?? createExecutor("graphql-js"),
          inputLimits: config.limits.input,
          operationLimits,
          rateLimits: runtime.rateLimits,
          trustedDocuments: runtime.trustedDocuments,
          treeAnswers,
          responses: runtime.responses,
          maxDocuments: config.execution.maxDocuments,
        })
      : null;
  const apollo = createApollo(runtime, httpServer, executor, { operationLimits, treeAnswers, fastPath }, extraPlugins);
  await apollo.start();
  const createContext = createContextFactory(runtime);
  const editor = async (authorization: string | undefined) => isEditor(await runtime.authenticate(authorization));
  serve = createHttpHandler(apollo, {
    corsOrigins: config.http.corsOrigins,
    routes: createRoutes(runtime),
    context: (req, record) => createContext(req.headers.authorization, record),
    edgeChecks: [
      // Variables and extensions within bounds before the response cache hashes them: a POST's body
      // and a GET's query string alike, since both may be answered from it (inputLimitsPlugin backs it up).
      (_req, params) => checkRequestBody(params, config.limits.input),
      // Persisted documents resolved to their text (a POST's body; a GET is executed from its query
      // string) and TRUSTED_DOCUMENTS=require, before the response cache (trustedDocumentsPlugin backs it up).
      async (req, params) => {
        const prepared = await runtime.trustedDocuments.prepare(params, () => editor(req.headers.authorization));
        if ("refusal" in prepared) return prepared.refusal;
        return req.method === "POST" ? prepared : null;
      },
    ],
    responseCache: runtime.responses,
    fastPath,
    clientAddress: createClientAddress(config.http.trustedProxies),
    rateLimits: runtime.rateLimits,
    telemetry: runtime.telemetry,
    logger,
  });

  return {
    url,
    config,
    db: runtime.db,
    cache: runtime.cache,
    keys: runtime.keys,
    registry: runtime.registry,
    logger,
    search: runtime.search,
    executor,
    fastPath,
    async stop() {
      await apollo.stop();
      logger.debug("http server drained");
      await runtime.close();
      logger.debug("gateway stopped");
    },
  };
}

async function listen(httpServer: http.Server, where: { host: string; port: number }): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new PortTakenError(where.host, where.port) : error),
    );
    httpServer.listen(where.port, where.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  return `http://${where.host.includes(":") ? `[${where.host}]` : where.host}:${port}/`;
}

/** The configured port is taken by another process. */
export class PortTakenError extends Error {
  override readonly name = "PortTakenError";
  constructor(host: string, port: number) {
    super(`Port ${port} on ${host} is already in use by another process: stop it, or set PORT to another port (PORT=0 picks a free one).`);
  }
}

function answerWhileStarting(req: http.IncomingMessage, res: http.ServerResponse, progress: StartupProgress | null): void {
  const path = (req.url ?? "/").split("?", 1)[0];
  const step = progress?.step ?? "opening the database";
  const counted = progress?.total !== undefined ? { phase: progress.phase, done: progress.done, total: progress.total } : {};
  const detail = { status: "starting", step, ...counted, ...(progress?.waiting ? { reason: progress.waiting } : {}) };
  const message = `The gateway is starting (${step})${progress?.waiting ? `: ${progress.waiting}` : ""}. Try again shortly.`;
  res.setHeader("content-type", "application/json");
  res.setHeader("retry-after", "1");
  if (req.method === "GET" && path === "/health") return void res.writeHead(200).end(JSON.stringify(detail));
  if (req.method === "GET" && (path === "/ready" || path === "/metrics")) return void res.writeHead(503).end(JSON.stringify(detail));
  res.writeHead(503).end(JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }] }));
}

/** Parts of the plugin list shared with the fast path (src/execution/fast-path.ts). */
interface SharedPlugins {
  operationLimits: OperationLimits;
  treeAnswers: TreeAnswers;
  fastPath: FastPath | null;
}

function createApollo(
  runtime: Runtime,
  httpServer: http.Server,
  executor: Executor | null,
  shared: SharedPlugins,
  extraPlugins: ApolloServerPlugin<Context>[],
): ApolloServer<Context> {
  const { config, logger } = runtime;
  const typeDefs = readFileSync(schemaPath, "utf8");
  // EXECUTOR=jit: the same schema Apollo would build (makeExecutableSchema), executed by
  // src/execution through Apollo's gateway interface; graphql-js: Apollo executes it itself.
  const execution = executor ? { gateway: executorGateway(makeExecutableSchema({ typeDefs, resolvers }), executor) } : { typeDefs, resolvers };
  return new ApolloServer<Context>({
    ...execution,
    introspection: config.http.introspection,
    // src/index.ts stops the whole gateway on SIGINT/SIGTERM; Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    // Suggestions ("Did you mean ...?") tell what introspection would: both are off in production.
    formatError: createFormatError((error) => logger.error({ err: error }, "unexpected error in a request"), isDatabaseUnavailable, {
      suggestions: config.http.introspection,
    }),
    // The edge (src/edge): limits on the document, checked once per document before execution.
    parseOptions: { maxTokens: config.limits.operation.maxTokens },
    // Automatic persisted queries on the cache store (shared by every instance), the manifest first (src/edge/trusted-documents.ts).
    persistedQueries: runtime.trustedDocuments.persistedQueries,
    validationRules: [...documentInputRules(config.limits.input), ...operationLimitRules(config.limits.operation)],
    plugins: [
      inputLimitsPlugin(config.limits.input),
      shared.operationLimits.plugin,
      // After operationLimitsPlugin, whose cost it charges (see rateLimitsPlugin).
      ...(runtime.rateLimits ? [rateLimitsPlugin(runtime.rateLimits)] : []),
      trustedDocumentsPlugin(runtime.trustedDocuments),
      runtime.telemetry.plugin,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's per-field cache hints feed HTTP cache headers we do not send; they cost ~25% of a large response.
      ApolloServerPluginCacheControlDisabled(),
      cacheTracePlugin(),
      ...(runtime.responses ? [runtime.responses.plugin] : []),
      searchNoticesPlugin(),
      // Tree-only queries answered from the decoded tree's memo once executed (see the plugin).
      shared.treeAnswers.plugin,
      // Learns the queries the fast path may answer (after every plugin that may add an error).
      ...(shared.fastPath ? [shared.fastPath.plugin] : []),
      ...extraPlugins,
      config.http.introspection
        ? explorerLinkPlugin(ApolloServerPluginLandingPageLocalDefault({ embed: true }))
        : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
    ],
  });
}
