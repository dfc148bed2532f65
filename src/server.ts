import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Registry } from "prom-client";
import {
  createCacheTrace,
  createReadThrough,
  defaultReadThroughOptions,
  type CacheRuntime,
  type CacheTrace,
} from "./cache/read-through";
import { createCacheStore } from "./cache/create-store";
import { createFillLimit } from "./cache/fill-limit";
import { createKeys, type CacheKeys } from "./cache/keys";
import { createCacheStats } from "./cache/stats";
import type { CacheStore } from "./cache/store";
import type { Config } from "./config";
import type { Context } from "./context";
import { createDatabase, type Database } from "./data/database";
import { migrate } from "./data/migrator";
import { createCategoryRepository } from "./data/repositories/category-repository";
import { createProductRepository } from "./data/repositories/product-repository";
import { seedIfEmpty } from "./data/seed/seed-on-start";
import { createOutbox } from "./cache/outbox";
import { createAuthenticator } from "./auth";
import { createFormatError } from "./errors";
import { createHttpHandler } from "./http-handler";
import { createCategoryService } from "./modules/category/category.service";
import { createProductImportService } from "./modules/product/product-import.service";
import { createProductService } from "./modules/product/product.service";
import { createWriter } from "./modules/shared/writer";
import { createLogger, type Logger } from "./logger";
import { createLoaders } from "./loaders";
import { createMetricsRegistry, registerGatewayMetrics } from "./metrics";
import { resolvers } from "./modules";
import { createAdminService } from "./modules/admin/admin.service";
import { createSearchModule, type SearchModule } from "./modules/search/search.service";
import { cacheTraceHeader, cacheTracePlugin } from "./plugins/cache-trace";
import { responseCachePlugin } from "./plugins/response-cache";
import { createResponseCache, requestKeyOf } from "./cache/response-cache";
import { searchNoticesPlugin } from "./plugins/search-notices";

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
  /** Search and statistics: `search.indexer` keeps the vector index in step with writes. */
  search: SearchModule;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** An already open database (tests share one); the gateway then does not close it. */
  db?: Database;
  /** The cache store; null runs without a cache. Default: from config. */
  store?: CacheStore | null;
  logger?: Logger;
  /**
   * Fault injection for the consistency checker's own tests, never set in production:
   * `fillDelayMs` holds every cache fill between its database read and its write-back (widening
   * the race the guard closes); `skipInvalidation` commits writes without touching the cache.
   */
  faults?: { fillDelayMs?: number; skipInvalidation?: boolean };
}

/** Opens the database (migrating and seeding if configured), builds the cache and serves HTTP. */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = options.db ?? (await createDatabase(config.database));
  if (config.migrateOnStart) {
    const applied = await migrate(db.sql);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
    const seeded = await seedIfEmpty(db, config.seed, (message) => logger.info(message));
    if (seeded !== "skipped") logger.info({ seeded }, "empty database seeded");
  }
  const registry = createMetricsRegistry();
  const keys = createKeys(config.cache.prefix);
  const cache: CacheRuntime = {
    // The outbox is built below; the store calls it once Redis is back, before reads trust it again.
    store: options.store === undefined ? createCacheStore(config.cache, logger, { onRecover: (direct) => outbox.replay(direct) }) : options.store,
    keys,
    fills: createFillLimit(config.cache.maxConcurrentFills),
    stats: createCacheStats(registry),
    options: { ...defaultReadThroughOptions, fillDelayMs: options.faults?.fillDelayMs ?? 0 },
    inflight: new Map(),
  };
  registerGatewayMetrics(registry, db.counter, cache);
  const outbox = createOutbox(db, cache, logger, { skipInvalidation: options.faults?.skipInvalidation ?? false });
  await outbox.replay().catch((error) => logger.warn({ err: error }, "pending invalidations could not be replayed at start"));
  outbox.start();
  const repositories = {
    categories: createCategoryRepository(db.prisma),
    products: createProductRepository(db.prisma),
  };
  // After migrations and the seed: creates the vector table or collection and embeds what it lacks.
  const search = await createSearchModule(db, config.search, logger);
  await search.start();

  const requestLoaders = (trace: CacheTrace) =>
    createLoaders({
      readThrough: createReadThrough(cache, trace),
      keys,
      ttls: config.cache.ttlSeconds,
      negativeTtlSeconds: config.cache.negativeTtlSeconds,
      ...repositories,
      ...search.loaderDeps,
    });
  const admin = createAdminService(db, cache);
  const write = createWriter(db, outbox);
  const writes = {
    categories: createCategoryService(write, search.changeListener),
    products: createProductService(write, search.changeListener),
    importProducts: createProductImportService(write, search.changeListener),
  };
  const authenticate = createAuthenticator(config.auth);
  const responses =
    cache.store && config.cache.responseCache
      ? createResponseCache(cache.store, keys, cache.stats, config.cache.ttlSeconds.resp)
      : undefined;
  if (config.cache.warmOnStart && cache.store) {
    const report = await admin.warm(requestLoaders(createCacheTrace()), config.cache.warmProducts);
    logger.info(report, "cache warmed");
  }
  // The handler needs the started Apollo server; the HTTP server needs to exist before it (for draining).
  const handler: { current: http.RequestListener } = { current: (_req, res) => void res.writeHead(503).end() };
  const httpServer = http.createServer((req, res) => handler.current(req, res));
  const apollo = new ApolloServer<Context>({
    typeDefs: readFileSync(schemaPath, "utf8"),
    resolvers,
    introspection: config.http.introspection,
    // src/index.ts stops the whole gateway on SIGINT/SIGTERM; Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    formatError: createFormatError((error) => logger.error({ err: error }, "unexpected error in a request")),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's per-field cache hints feed HTTP cache headers we do not send; they cost ~25% of a large response.
      ApolloServerPluginCacheControlDisabled(),
      cacheTracePlugin(),
      responseCachePlugin(),
      searchNoticesPlugin(),
      config.http.introspection
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
    ],
  });
  await apollo.start();

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(body));
  };
  handler.current = createHttpHandler(apollo, {
    corsOrigins: config.http.corsOrigins,
    routes: {
      "/health": (_req, res) => json(res, 200, { status: "ok" }),
      "/ready": async (_req, res) => {
        const database = await db.sql.query("SELECT 1").then(() => true, () => false);
        const store = cache.store ? await cache.store.ping().catch(() => false) : null;
        // Vectors are reported, not required: without them HYBRID search answers from text.
        const vectors = await search.readiness();
        json(res, database ? 200 : 503, { status: database ? "ready" : "unavailable", database, cache: store, vectors });
      },
      "/metrics": async (_req, res) => {
        res.setHeader("content-type", registry.contentType);
        res.end(await registry.metrics());
      },
    },
    context: async (req): Promise<Context> => {
      const cacheTrace = createCacheTrace();
      return {
        loaders: requestLoaders(cacheTrace),
        services: { pagination: config.pagination, admin, ...writes, writeThrough: config.cache.writeThrough, search: search.service },
        viewer: await authenticate(req.headers.authorization),
        cacheTrace,
        response: { cacheable: false },
      };
    },
    responseCache: responses && {
      // Anonymous queries only, and not when the caller asked for this request's cache trace.
      eligible: (req, body) =>
        req.headers.authorization || req.headers[cacheTraceHeader] ? null : requestKeyOf(body),
      lookup: (requestKey) => responses.lookup(requestKey),
      save: (requestKey, body, context) =>
        context.response.cacheable ? responses.save(requestKey, body, context.cacheTrace) : Promise.resolve(),
    },
  });

  await new Promise<void>((resolve) => httpServer.listen(config.http.port, config.http.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${config.http.host.includes(":") ? `[${config.http.host}]` : config.http.host}:${port}/`;
  return {
    url,
    config,
    db,
    cache,
    keys,
    registry,
    logger,
    search,
    async stop() {
      outbox.stop();
      await apollo.stop();
      logger.debug("http server drained");
      // A store passed in belongs to the caller, like a database passed in.
      if (options.store === undefined) await cache.store?.close();
      if (!options.db) await db.close();
      logger.debug("gateway stopped");
    },
  };
}
