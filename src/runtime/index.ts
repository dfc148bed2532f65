import type { Registry } from "prom-client";
import { createAuthenticator, type Authenticator } from "../auth";
import { createCacheStore } from "../cache/create-store";
import { createFillLimit } from "../cache/fill-limit";
import { createKeys, type CacheKeys } from "../cache/keys";
import { createNearTier } from "../cache/near-tier";
import { createHash } from "node:crypto";
import { createOutbox, createOutboxReplay, type Outbox } from "../cache/outbox";
import { createOutboxRelay, type OutboxRelay } from "../cache/outbox-relay";
import { isResilientStore } from "../cache/resilient-store";
import { createRedisConnection, waitForReady } from "../cache/redis-client";
import { createPurger } from "../cache/purge";
import { createCacheTrace, createReadThrough, type CacheRuntime, type CacheTrace } from "../cache/read-through";
import { createCacheStats } from "../cache/stats";
import type { CacheStore } from "../cache/store";
import type { Config } from "../config";
import type { Services, Settings } from "../context";
import { createDatabase, isDatabaseUnavailable, type Database } from "../data/database";
import { createRateLimits, type RateLimits } from "../edge/rate-limit";
import { createTrustedDocuments, type TrustedDocuments } from "../edge/trusted-documents";
import { migrate } from "../data/migrator";
import { createReadReplicas, createReadRepositories, primaryWalPosition, type ReadReplicas } from "../data/read-replicas";
import { createReplicaFills } from "../cache/replica-fills";
import { createReplicaMarks } from "../cache/replica-marks";
import type { ReplicaMarking } from "../cache/outbox";
import { seedIfEmpty } from "../data/seed/seed-on-start";
import { createProcessMemo } from "../cache/process-memo";
import { createCategoryTreeCodec, createLoaders, type CategoryTree, type Loaders } from "../loaders";
import { createLogger, type Logger } from "../logger";
import { createMetricsRegistry, registerGatewayMetrics } from "../metrics";
import { createAdminService } from "../modules/admin/admin.service";
import { createCategoryService } from "../modules/category/category.service";
import { createProductImportService } from "../modules/product/product-import.service";
import { createProductService } from "../modules/product/product.service";
import { createWriter } from "../modules/shared/writer";
import { createTelemetry, type Telemetry } from "../plugins/telemetry";
import { createResponseCache, type ResponseCache } from "../response-cache";
import { createSearchRuntime, type SearchRuntime } from "./search";

/**
 * The composition root: builds every part of a gateway process once, in dependency order, and
 * hands each its collaborators (STYLE.md 18). Nothing here serves HTTP; src/server.ts does. Larger parts are wired in files beside this one.
 *
 *   database (migrated, seeded) -> metrics -> cache (keys, stats, outbox replay, store, read path)
 *   -> outbox -> repositories -> search -> services -> authentication -> response cache
 *   -> the edge (rate limits, trusted documents, telemetry) -> warm
 */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: Database;
  registry: Registry;
  keys: CacheKeys;
  /** The read path's process-wide state: store, counters, loads in flight. */
  cache: CacheRuntime;
  outbox: Outbox;
  /** Search (see `createSearchRuntime`): `search.indexer` keeps the vector index in step with writes. */
  search: SearchRuntime;
  services: Services;
  settings: Settings;
  authenticate: Authenticator;
  /** The whole-response cache; null when there is no store or CACHE_RESPONSES is off. */
  responses: ResponseCache | null;
  /** The rate limits (on the shared Redis when REDIS_URL is set); null when RATE_LIMIT=off. */
  rateLimits: RateLimits | null;
  /** The trusted documents' manifest and the APQ cache (on the cache store). */
  trustedDocuments: TrustedDocuments;
  /** The request log line and the per-operation metrics. */
  telemetry: Telemetry;
  /** A request's loaders over the shared cache, recording what they read in `trace`. */
  createLoaders(trace: CacheTrace): Loaders;
  /** For `/ready`: whether each service answers now. */
  readiness(): Promise<Readiness>;
  /** Stops the outbox, closes the store and the database (those it opened itself). */
  close(): Promise<void>;
}

/** What `/ready` reports: the database is required, the cache and the vector index are reported. */
export interface Readiness {
  database: boolean;
  /** Why the database is not ready, when it is not. */
  reason?: string;
  /** Null when no cache store is configured. */
  cache: boolean | null;
  vectors: Awaited<ReturnType<SearchRuntime["readiness"]>>;
}

export interface RuntimeOptions {
  /** An already open database (tests share one); the runtime then does not close it. */
  db?: Database;
  /** The cache store; null runs without a cache. Default: from config. A store passed in is not closed. */
  store?: CacheStore | null;
  logger?: Logger;
  /**
   * Fault injection for the consistency checker's own tests, never set in production:
   * `fillDelayMs` holds every cache fill between its database read and its write-back (widening
   * the race the guard closes); `skipInvalidation` commits writes without touching the cache;
   * `skipFailoverReplay` does not apply recent invalidations again on a new Redis server;
   * `skipNearInvalidation` makes the near cache ignore every invalidation (Redis's messages and
   * this process's writes), to show the stale reads its tracking prevents; `vectorSyncGate` holds
   * the background embedding of the catalog until it settles. The first three, set here, override
   * their CACHE_TEST_* settings (config.testFaults, for gateway processes).
   */
  faults?: {
    fillDelayMs?: number;
    skipInvalidation?: boolean;
    skipFailoverReplay?: boolean;
    skipNearInvalidation?: boolean;
    vectorSyncGate?: Promise<unknown>;
  };
  /** Told of each start-up step, and of every wait for an unreachable database (for /ready). Default: logged only. */
  onProgress?: (progress: StartupProgress) => void;
}

/** Where the start has come: the step running, and why it waits when the database cannot be reached. */
export interface StartupProgress {
  step: "migrating" | "seeding" | "search" | "embedding" | "warming";
  /** Set while the step waits for the database: what failed and when it is tried again. */
  waiting?: string;
  /** For seeding (records written) and embedding (products checked, embedded where needed): how far, of `total`. */
  done?: number;
  total?: number;
  /** What `done` counts, when the step has parts (seeding: "categories", then "products"). */
  phase?: string;
}

/** Backoff between attempts of a start-up step while the database is unreachable: 0.5 s doubling to this, ms. */
const MAX_RETRY_DELAY_MS = 10_000;

/**
 * Opens the database (migrating and seeding if configured) and builds every part above it. A step
 * that needs the database waits for it while it cannot be reached (PostgreSQL down at start),
 * retrying with backoff, so the gateway becomes ready by itself when PostgreSQL answers; any other
 * failure fails the start. Two instances starting together migrate once (the migrator's advisory
 * lock) and seed once (the seed's check runs under the catalog lock).
 */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const logCount = createCountLog();
  const progress = (report: StartupProgress) => {
    if (report.waiting) logger.warn(report, "start-up waits for the database");
    else if (report.total === undefined) logger.info(report, `start-up: ${report.step}`);
    else if (logCount(report)) logger.info(report, `start-up: ${report.step}${report.phase ? ` ${report.phase}` : ""} ${report.done}/${report.total}`);
    options.onProgress?.(report);
  };
  const step = <T>(name: StartupProgress["step"], work: () => Promise<T>) => untilDatabaseAnswers(name, work, progress);
  const faults = {
    fillDelayMs: options.faults?.fillDelayMs ?? config.testFaults.fillDelayMs,
    skipInvalidation: options.faults?.skipInvalidation ?? config.testFaults.skipInvalidation,
    skipFailoverReplay: options.faults?.skipFailoverReplay ?? config.testFaults.skipFailoverReplay,
  };
  const db = options.db ?? (await createDatabase(config.database));
  if (config.migrateOnStart) await step("migrating", () => prepareCatalog(db, config, logger, progress));

  const registry = createMetricsRegistry();
  const keys = createKeys(config.cache.prefix, { responseShards: config.cache.responseShards });
  const stats = createCacheStats(registry);
  const replicas = createReplicas(config);
  // With read replicas (or REPLICA_MARKS), every invalidation first raises the marks fills compare replicas with.
  const marking: ReplicaMarking | undefined =
    config.replicaMarks && db.kind === "postgres"
      ? { marks: createReplicaMarks(keys, config.replicaMarks.buckets), primaryPosition: () => primaryWalPosition(db.sql) }
      : undefined;
  // The replay exists before the store: the store runs it on Redis before its circuit closes again.
  const replay = createOutboxReplay(db, { keys, stats }, marking);
  // Before the store, whose writes evict from it; only above a Redis store of its own making.
  const near =
    config.cache.near && config.cache.redisUrl && options.store === undefined
      ? createNearTier(
          {
            url: config.cache.redisUrl,
            commandTimeoutMs: config.cache.redisCommandTimeoutMs,
            // The read path's families, and the whole-response cache's entries, stamps and counters (its near hits).
            prefixes: [...keys.readPathPrefixes(), keys.responsePrefix()],
            ...config.cache.near,
            ignoreInvalidations: options.faults?.skipNearInvalidation ?? false,
          },
          logger,
        )
      : null;
  const store =
    options.store !== undefined
      ? options.store
      : createCacheStore({ ...config.cache, guardWrites: !config.testFaults.unguardedFills }, logger, {
          near: near?.cache,
          onRecover: async (direct, { serverChanged }) => {
            if (serverChanged && !faults.skipFailoverReplay) {
              const applied = await replay.recent(direct, config.cache.outbox.retainSeconds);
              logger.warn({ applied, withinSeconds: config.cache.outbox.retainSeconds }, "recent invalidations applied again on the new Redis server");
            }
            await replay.pending(direct);
          },
        });
  const cache: CacheRuntime = {
    store,
    keys,
    fills: createFillLimit(config.cache.maxConcurrentFills),
    stats,
    options: { ...config.cache.readThrough, fillDelayMs: faults.fillDelayMs },
    inflight: new Map(),
    near,
    replicaFills:
      replicas && marking
        ? createReplicaFills(replicas, marking.marks, {
            lsnCheck: config.replicas?.lsnCheck,
            primaryPosition: marking.primaryPosition,
            onReplicaError: (error, replica) => logger.warn({ err: error, replica }, "a fill's read on a replica failed: read the primary"),
          })
        : null,
  };
  registerGatewayMetrics(registry, db.counter, cache);
  const relay = await createRelay(config, db, store, () => replay.pending(store), logger);
  const outbox = createOutbox(db, cache, replay, logger, {
    intervalMs: config.cache.outboxIntervalMs,
    retainSeconds: config.cache.outbox.retainSeconds,
    markGatherMs: config.cache.outbox.markGatherMs,
    handOff: relay ? (id) => relay.handOff(id) : undefined,
    skipInvalidation: faults.skipInvalidation,
    purger: config.cache.purge && createPurger(config.cache.purge),
    replicaMarks: marking,
  });
  await replayBeforeServing(outbox, store, logger);
  outbox.start();

  const repositories = createReadRepositories(db.prisma);
  // After migrations and the seed: creates the vector table or collection, and starts embedding
  // what it lacks in the background (the gateway answers meanwhile; search.synced() says when done).
  const search = await step("search", () => createSearchRuntime(db, config.search, logger, { syncGate: options.faults?.vectorSyncGate }));
  await step("search", () => search.start(({ done, total }) => progress({ step: "embedding", done, total })));
  const categoryTreeCodec = createCategoryTreeCodec();
  const categoryTreeMemo = createProcessMemo<CategoryTree>();
  const createRequestLoaders = (trace: CacheTrace) =>
    createLoaders({
      readThrough: createReadThrough(cache, trace),
      keys,
      ttls: config.cache.ttlSeconds,
      negativeTtlSeconds: config.cache.negativeTtlSeconds,
      ...repositories,
      categoryTreeCodec,
      categoryTreeMemo,
      ...search.loaderDeps,
    });

  const write = createWriter(db, outbox, config.transactions);
  const services: Services = {
    admin: createAdminService(db, cache, { warmProducts: config.cache.warmProducts }),
    categories: createCategoryService(write, search.changeListener),
    products: createProductService(write, search.changeListener),
    importProducts: createProductImportService(write, search.changeListener),
    search: search.service,
  };
  const authenticate = createAuthenticator(config.auth, config.auth.tokenCache);
  const responses =
    store && config.cache.responseCache
      ? createResponseCache({
          store,
          keys,
          stats,
          ttlSeconds: config.cache.ttlSeconds.resp,
          authenticate,
          cdn: config.cdn,
          // A search answered without vectors is never reused for one with them, nor the reverse;
          // nor one answered under other synonym rules (the engine's version) after a restart.
          variant: () => `${search.loaderDeps.searchEngine.vector.state()}:${search.loaderDeps.searchEngine.version}`,
          near,
        })
      : null;
  // The rate limits' own Redis connection (from the one Redis client module): their commands never
  // queue behind the cache's pipelines, and their insurance limiter covers the time Redis is down.
  const edgeRedis =
    config.limits.rate && (config.cache.redisUrl || config.cache.redisClusterNodes)
      ? createRedisConnection({
          url: config.cache.redisUrl,
          clusterNodes: config.cache.redisClusterNodes,
          commandTimeoutMs: config.cache.redisCommandTimeoutMs,
          connectionName: "catalog-gateway-edge",
          // No auto-pipelining, as for the cache's connection (src/cache/create-store.ts says why).
          autoPipelining: false,
          onError: (error) => logger.debug({ err: error }, "redis connection error (rate limits)"),
        })
      : null;
  // Until it is ready, the insurance limiter counts alone: a short wait keeps the first requests on the shared budget.
  if (edgeRedis && !(await waitForReady(edgeRedis, 2000))) logger.warn("redis is not ready: rate limits count in this process until it is");
  const rateLimits = config.limits.rate ? createRateLimits(edgeRedis, config.limits.rate, (budget) => keys.rateLimitPrefix(budget)) : null;
  const trustedDocuments = createTrustedDocuments(config.trustedDocuments, store, (hash) => keys.persistedDocumentKey(hash), (message) =>
    logger.warn(message),
  );
  const telemetry = createTelemetry(registry, logger, trustedDocuments.operationNames);
  if (config.cache.warmOnStart && store) {
    const report = await step("warming", () => services.admin.warm(createRequestLoaders(createCacheTrace())));
    logger.info(report, "cache warmed");
  }

  return {
    config,
    logger,
    db,
    registry,
    keys,
    cache,
    outbox,
    search,
    services,
    settings: { pagination: config.pagination, writeThrough: config.cache.writeThrough },
    authenticate,
    responses,
    rateLimits,
    trustedDocuments,
    telemetry,
    createLoaders: createRequestLoaders,
    async readiness() {
      const [database, cacheUp, vectors] = await Promise.all([
        db.sql.query("SELECT 1").then(() => null, (error: Error) => `the database does not answer: ${error.message}`),
        store ? store.ping().catch(() => false) : null,
        search.readiness().catch(() => ({ vectorIndex: search.vectorIndex?.kind ?? "none", available: false, embedder: "unknown" })),
      ]);
      return { database: database === null, ...(database === null ? {} : { reason: database }), cache: cacheUp, vectors };
    },
    async close() {
      await search.stop();
      outbox.stop();
      await outbox.written();
      await relay?.stop();
      // Pending invalidations go to the store now if it takes them; otherwise they stay in the
      // outbox, and the next instance to start (or any running one) replays them.
      const applied = await outbox.replay().catch(() => 0);
      if (applied > 0) logger.info({ applied }, "pending invalidations applied before stopping");
      if (options.store === undefined) await store?.close();
      await near?.close();
      await replicas?.close();
      await rateLimits?.close();
      edgeRedis?.disconnect();
      if (!options.db) await db.close();
    },
  };
}

/** Read replicas for cache fills (DATABASE_REPLICA_URLS): a pool each, connected on first use. */
function createReplicas(config: Config): ReadReplicas | null {
  if (!config.replicas) return null;
  return createReadReplicas(config.replicas.urls, {
    poolSize: config.database.kind === "postgres" ? config.database.poolSize : 10,
    connectTimeoutMs: config.replicas.connectTimeoutMs,
    positionTtlMs: config.replicas.positionTtlMs,
    retryMs: config.replicas.retryMs,
  });
}

/**
 * Pending invalidations (a write committed just before a crash) are applied before this instance
 * reads the cache. If they cannot be yet (the database or Redis is down), the store is fenced (reads
 * go to the database) and the replay is retried every second until it succeeds.
 */
async function replayBeforeServing(outbox: Outbox, store: CacheStore | null, logger: Logger): Promise<void> {
  const attempt = () => outbox.replay().then(() => true, () => false);
  if (await attempt()) return;
  logger.warn("pending invalidations could not be replayed at start: the cache is not read until they are");
  if (!store || !isResilientStore(store)) return;
  store.fence("outbox", "pending invalidations have not been replayed since start");
  const retry = setInterval(() => {
    void attempt().then((done) => {
      if (!done) return;
      clearInterval(retry);
      store.fence("outbox", null);
      logger.info("pending invalidations replayed: the cache is read again");
    });
  }, 1000);
  retry.unref();
}

/**
 * The hand-off of invalidations between instances (src/cache/outbox-relay.ts): only where several
 * processes can share one cache, i.e. Redis (a store that can be fenced) over PostgreSQL.
 */
async function createRelay(
  config: Config,
  db: Database,
  store: CacheStore | null,
  replayPending: () => Promise<number>,
  logger: Logger,
): Promise<OutboxRelay | null> {
  if (!config.cache.outbox.handOff || !db.listen || !store || !isResilientStore(store)) return null;
  const listen = db.listen.bind(db);
  const applicationName = `cg-outbox-${createHash("sha1").update(config.cache.prefix).digest("hex").slice(0, 16)}`;
  return createOutboxRelay(
    { db, listen, replayPending, logger },
    { applicationName, ackTimeoutMs: config.cache.outbox.ackTimeoutMs, heartbeatMs: config.cache.outbox.heartbeatMs, heartbeatTimeoutMs: config.cache.outbox.heartbeatTimeoutMs },
  );
}

async function untilDatabaseAnswers<T>(
  name: StartupProgress["step"],
  work: () => Promise<T>,
  progress: (report: StartupProgress) => void,
): Promise<T> {
  progress({ step: name });
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const delayMs = Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** attempt);
      const reason = error instanceof Error && error.message ? error.message.split("\n").filter(Boolean).pop() : String(error);
      progress({ step: name, waiting: `the database cannot be reached (${reason}); trying again in ${delayMs} ms` });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

async function prepareCatalog(db: Database, config: Config, logger: Logger, progress: (report: StartupProgress) => void): Promise<void> {
  const applied = await migrate(db.sql);
  if (applied.length > 0) logger.info({ applied }, "migrations applied");
  const seeded = await seedIfEmpty(
    db,
    config.seed,
    (message) => logger.info(message),
    ({ phase, done, total }) => progress({ step: "seeding", phase, done, total }),
  );
  if (seeded !== "skipped") logger.info({ seeded }, "empty database seeded");
}

/**
 * Whether a counted step's report is worth a log line: its first and last, and one each time it
 * passes another tenth (a 40,000-product seed writes in hundreds of batches; /ready shows them all).
 */
function createCountLog(): (report: StartupProgress) => boolean {
  let last = "";
  return ({ step, phase, done = 0, total = 0 }) => {
    const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
    const key = `${step}/${phase ?? ""}/${tenth}`;
    if (key === last && done < total) return false;
    last = key;
    return true;
  };
}
