import path from "node:path";
import { z } from "zod";
import { defaultMaxConcurrentFills } from "./cache/fill-limit";
import { defaultKeyPrefix, defaultResponseShards, families, type Family } from "./cache/keys";
import { defaultNearCacheMaxBytes, defaultNearCacheOptions } from "./cache/near-cache";
import { defaultMemoryMaxEntries } from "./cache/memory-store";
import { defaultMarkGatherMs, defaultOutboxIntervalMs, defaultOutboxRetainSeconds } from "./cache/outbox";
import { defaultOutboxRelayOptions } from "./cache/outbox-relay";
import { defaultPurgeConfig, type PurgeConfig } from "./cache/purge";
import { defaultReadThroughOptions } from "./cache/read-through";
import { defaultRedisClientOptions, parseClusterNodes, type ClusterNode } from "./cache/redis-client";
import { defaultResilientStoreOptions } from "./cache/resilient-store";
import type { DatabaseConfig } from "./data/database";
import { defaultReadReplicaOptions } from "./data/read-replica-options";
import { defaultReplicaMarkBuckets } from "./cache/replica-marks";
import type { EmbedderConfig } from "./data/search/create-embedder";
import { DEFAULT_SYNONYMS_FILE } from "./data/search/synonyms";
import { defaultFamilyTtls, defaultNegativeTtlSeconds, type FamilyTtls } from "./cache/ttl";
import { defaultJsonLimits, type JsonLimits } from "./edge/json-limits";
import { defaultExecutorOptions, type ExecutorKind } from "./execution/compiled-executor";
import { defaultCostEstimates, type CostEstimates } from "./edge/operation-cost";
import { defaultOperationLimits, type OperationLimits } from "./edge/operation-limits";
import { defaultRateLimitOptions, type RateLimitOptions } from "./edge/rate-limit";
import { createClientAddress } from "./edge/rate-limit-address";
import type { TrustedDocumentsOptions } from "./edge/trusted-documents";

/**
 * The gateway's configuration: the only module that reads `process.env`. `loadConfig` validates
 * once at start and throws a `ConfigError` naming the variable at fault; everything else receives
 * the typed `Config` it returns. A default that a module also knows (a store's bound, a timeout)
 * is taken from that module's exported defaults, so each default is stated once.
 */

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean));

/** Apollo Sandbox's origin, allowed by CORS in development. */
export const SANDBOX_ORIGIN = "https://studio.apollographql.com";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Interface the HTTP server binds. Default 127.0.0.1. */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** TCP port of the HTTP server. Default 4000; 0 picks a free port. */
  PORT: int(0, 65535).default(4000),
  /** PostgreSQL connection string. Unset: embedded PGlite in PGLITE_DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL").optional(),
  /** PostgreSQL pool size. Default 10. */
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  /** A PostgreSQL connection not established after this many ms fails (the request answers SERVICE_UNAVAILABLE). Default 5000. */
  DATABASE_CONNECT_TIMEOUT_MS: int(100, 120_000).default(5000),
  /** Longest a write's transaction may run before it is rolled back, ms. Default 60000 (an import of 10,000 rows fits). */
  DATABASE_TRANSACTION_TIMEOUT_MS: int(100, 3_600_000).default(60_000),
  /** Longest a write waits for a connection to start its transaction, ms. Default 10000. */
  DATABASE_TRANSACTION_MAX_WAIT_MS: int(10, 600_000).default(10_000),
  /**
   * Read replicas of DATABASE_URL (comma-separated postgres URLs) that cache fills may read once
   * they have replayed past the writes a fill depends on (README, "Read replicas"). Default none.
   */
  DATABASE_REPLICA_URLS: list.pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, "must list postgres:// or postgresql:// URLs"))).optional(),
  /** Compare a replica's replay position with the writes' marks before a fill reads it. Default true; false is for tests only (it lets fills read stale rows). */
  REPLICA_LSN_CHECK: z.enum(["on", "off"]).transform((v) => v === "on").default(true),
  /** How long a replica's replay position is reused before it is asked again, ms. Default 5. */
  REPLICA_POSITION_TTL_MS: int(0, 60_000).default(defaultReadReplicaOptions.positionTtlMs),
  /** A replica whose read failed is not used for this long, ms. Default 1000. */
  REPLICA_RETRY_MS: int(10, 600_000).default(defaultReadReplicaOptions.retryMs),
  /** A replica connection not established after this many ms fails (the fill reads the primary). Default 1000. */
  REPLICA_CONNECT_TIMEOUT_MS: int(100, 120_000).default(1000),
  /**
   * Raise replica marks on every write even where DATABASE_REPLICA_URLS is unset. Every instance
   * sharing a cache must mark its writes before any instance reads replicas: set this on all of
   * them first, then add the replicas. Default false (true whenever DATABASE_REPLICA_URLS is set).
   */
  REPLICA_MARKS: bool.default(false),
  /** Replica marks the writes' scopes are hashed into (src/cache/replica-marks.ts). Default 4096. */
  REPLICA_MARK_BUCKETS: int(1, 1_000_000).default(defaultReplicaMarkBuckets),
  /** Data folder of the embedded database; "memory://" keeps it in memory. Default .data/pglite. */
  PGLITE_DATA_DIR: z.string().min(1).default(".data/pglite"),
  /** Folder holding the Best Buy data set; seeds the real catalog on first start when set. */
  CATALOG_SEED_DIR: z.string().min(1).optional(),
  /** Size of the generated catalog seeded on first start when CATALOG_SEED_DIR is unset. */
  SEED_PRODUCTS: int(0, 10_000_000).default(5000),
  SEED_CATEGORIES: int(1, 100_000).default(200),
  /** Apply migrations (and seed an empty embedded database) at start. Default true. */
  MIGRATE_ON_START: bool.default(true),
  /** Web origins allowed by CORS, comma separated. Sandbox's origin is added in development. */
  CORS_ORIGINS: list.default([]),
  /** Schema introspection and the Sandbox landing page. Default: on unless NODE_ENV=production. */
  INTROSPECTION: bool.optional(),
  /** Largest `first` a connection accepts; larger is a BAD_USER_INPUT. Default 100. */
  MAX_PAGE_SIZE: int(1, 1000).default(100),
  /** Default `first` of a connection. Default 20. */
  DEFAULT_PAGE_SIZE: int(1, 1000).default(20),
  /** Where cached entries live: redis (shared, needs REDIS_URL), memory (this process), none. Default: redis when REDIS_URL is set, else memory. */
  CACHE_STORE: z.enum(["redis", "memory", "none"]).optional(),
  /** Redis (redis:// or rediss://). Unset: the in-process store. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL").optional(),
  /**
   * Redis Cluster seed nodes, `host:port,host:port,...` (instead of REDIS_URL; the client finds the
   * other nodes, follows MOVED/ASK and failovers). Unset: REDIS_URL, or the in-process store.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseClusterNodes(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `must be host:port,host:port,... (${(error as Error).message})` });
        return z.NEVER;
      }
    })
    .optional(),
  /**
   * Whole-response cache shards: entries spread over this many hash tags, each with a copy of the
   * version counters (a write moves every copy). Same on every instance. Default 1 with REDIS_URL
   * (one Redis gains nothing), 8 with REDIS_CLUSTER_NODES (hits spread over the masters).
   */
  CACHE_RESPONSE_SHARDS: int(1, 1024).optional(),
  /** Prefix of every cache key; it carries the schema version; no "{" or "}" (keys carry their own hash tags). Default "cg:v1:". */
  CACHE_PREFIX: z.string().min(1).max(64).regex(/^[^{}]*$/, 'must not contain "{" or "}"').default(defaultKeyPrefix),
  /** How long a missing id or SKU stays cached as missing, seconds. Default 30. */
  CACHE_NEGATIVE_TTL_SECONDS: int(1, 86_400).default(defaultNegativeTtlSeconds),
  /** Entries the in-process store keeps before evicting the least recently used. Default 10000. */
  CACHE_MEMORY_MAX_ENTRIES: int(100, 10_000_000).default(defaultMemoryMaxEntries),
  /** A Redis command without a reply after this many ms fails (the request then reads the database). Default 250. */
  REDIS_COMMAND_TIMEOUT_MS: int(5, 60_000).default(defaultRedisClientOptions.commandTimeoutMs),
  /** A store call not settled after this many ms counts as failed for the circuit breaker. Default: twice REDIS_COMMAND_TIMEOUT_MS, so it backs up the command timeout instead of racing it. */
  CACHE_CALL_TIMEOUT_MS: int(5, 120_000).optional(),
  /** Consecutive failed store calls that open the circuit (the cache is then bypassed). Default 5. */
  CACHE_CIRCUIT_FAILURE_THRESHOLD: int(1, 1000).default(defaultResilientStoreOptions.failureThreshold),
  /** How long the circuit stays open before a probe, ms. Default 2000. */
  CACHE_CIRCUIT_COOL_DOWN_MS: int(10, 600_000).default(defaultResilientStoreOptions.coolDownMs),
  /** How long a lease protects a cache fill, ms; longer than the slowest fill. Default 5000. */
  CACHE_LEASE_TTL_MS: int(10, 600_000).default(defaultReadThroughOptions.leaseTtlMs),
  /** How long a reader waits for another's lease before reading the database without filling, ms. Default 150. */
  CACHE_LEASE_WAIT_MS: int(0, 60_000).default(defaultReadThroughOptions.leaseWaitMs),
  /** Pause between polls of a key another process is filling, ms. Default 15. */
  CACHE_LEASE_RETRY_MS: int(1, 10_000).default(defaultReadThroughOptions.leaseRetryMs),
  /** TTLs are shortened by up to this fraction at random, so entries do not expire together. Default 0.1. */
  CACHE_TTL_JITTER: z.coerce.number().min(0).max(0.9).default(defaultReadThroughOptions.ttlJitter),
  /**
   * Stale-while-revalidate grace of every family, seconds: an entry past its TTL that no write
   * retired is served for this long while one refresh runs. CACHE_SWR_<FAMILY>_SECONDS overrides
   * one family (e.g. CACHE_SWR_PRODS_CAT_SECONDS=60). Default 0: off.
   */
  CACHE_SWR_SECONDS: int(0, 7 * 86_400).default(0),
  /** How often pending invalidations in the outbox are replayed, ms. Default 5000. */
  OUTBOX_REPLAY_INTERVAL_MS: int(100, 3_600_000).default(defaultOutboxIntervalMs),
  /** How long applied invalidations are kept, to apply them again after a Redis failover, seconds. Default 300. */
  OUTBOX_RETAIN_SECONDS: int(1, 7 * 86_400).default(defaultOutboxRetainSeconds),
  /** The applied marks of outbox rows applied within this many ms are written in one statement. Default 100. */
  OUTBOX_MARK_GATHER_MS: int(0, 60_000).default(defaultMarkGatherMs),
  /** An invalidation this instance cannot apply is handed to the other instances (PostgreSQL LISTEN/NOTIFY) before the write returns. Default true (Redis with PostgreSQL only). */
  OUTBOX_HANDOFF: bool.default(true),
  /** Longest a write waits for another instance to apply its handed-off invalidation, ms; above the listener heartbeat plus its timeout. Default 5000. */
  OUTBOX_ACK_TIMEOUT_MS: int(10, 600_000).default(defaultOutboxRelayOptions.ackTimeoutMs),
  /** Heartbeat of the invalidation listener, ms. Default 1000. */
  OUTBOX_LISTENER_HEARTBEAT_MS: int(10, 60_000).default(defaultOutboxRelayOptions.heartbeatMs),
  /** A heartbeat unanswered this long marks the listener dead (it reconnects, and replays what is pending once it hears again), ms; heartbeat + this stays below OUTBOX_ACK_TIMEOUT_MS. Default 3000. */
  OUTBOX_LISTENER_TIMEOUT_MS: int(10, 60_000).default(defaultOutboxRelayOptions.heartbeatTimeoutMs),
  /** Value of the purge request's token header, sent verbatim (e.g. "Bearer abc"). Unset: no token header. */
  CDN_PURGE_TOKEN: z.string().min(1).optional(),
  /** Name of the header carrying CDN_PURGE_TOKEN (Fastly: Fastly-Key). Default authorization. */
  CDN_PURGE_TOKEN_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name").default(defaultPurgeConfig.tokenHeader),
  /** A purge request not answered after this many ms fails (it stays in the outbox and is retried). Default 2000. */
  CDN_PURGE_TIMEOUT_MS: int(50, 120_000).default(defaultPurgeConfig.timeoutMs),
  /** Warm the cache (tree, categories, top products) when the gateway starts. Default false. */
  CACHE_WARM_ON_START: bool.default(false),
  /** How many of the most popular products warming loads (at start, and by warmCache without topProducts). Default 1000. */
  CACHE_WARM_PRODUCTS: int(0, 100_000).default(1000),
  /** Most database loads the cache layer runs at once (per process). Default 32. */
  CACHE_MAX_CONCURRENT_FILLS: int(1, 10_000).default(defaultMaxConcurrentFills),
  /** HS256 secret of the bearer JWTs that writes need (32+ characters). Required in production unless JWT_JWKS_URL is set. */
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** JWKS URL to verify bearer JWTs with the issuer's public keys instead of a shared secret. */
  JWT_JWKS_URL: z.string().url().optional(),
  /** Expected `iss` and `aud` of bearer JWTs, when set. */
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** Verified bearer tokens remembered per token string (least recently used dropped first); 0 verifies every request. Default 10000. */
  AUTH_TOKEN_CACHE_SIZE: int(0, 1_000_000).default(10_000),
  /** How long a verified token is remembered at most (never past its `exp`), seconds. Default 60. */
  AUTH_TOKEN_CACHE_SECONDS: int(0, 86_400).default(60),
  /** Keep whole responses of queries that read only public data (anonymous or with a valid token), validated against version counters of what they read. Default true. */
  CACHE_RESPONSES: bool.default(true),
  /**
   * Who executes operations: `jit` (graphql-jit: each query compiled once per document, graphql-js for
   * mutations and what it cannot compile; src/execution) or `graphql-js` (Apollo's own). Default jit.
   */
  EXECUTOR: z.enum(["jit", "graphql-js"]).default("jit"),
  /** Compiled documents kept per process (least recently used dropped first). Default 1000. */
  EXECUTOR_MAX_DOCUMENTS: int(1, 1_000_000).default(defaultExecutorOptions.maxDocuments),
  /**
   * `on`: a POST of a query Apollo Server already ran without errors (same text and operation name)
   * is executed without Apollo's request pipeline, the plugins' work done by hand (src/execution/fast-path.ts). Default on.
   */
  EXECUTION_FAST_PATH: z.enum(["on", "off"]).default("on"),
  /**
   * Where CDN purges go (the outbox's purge hook). When set, kept responses are sent
   * `Cache-Control: public, s-maxage=CDN_MAX_AGE_SECONDS` and `Surrogate-Key`/`Cache-Tag` naming what
   * they depend on, so the CDN may serve them until a write purges those tags. Unset: `private, no-cache`.
   */
  CDN_PURGE_URL: z.string().url().optional(),
  /** How long a CDN may keep a response (s-maxage), seconds, when CDN_PURGE_URL is set. Default 300. */
  CDN_MAX_AGE_SECONDS: int(1, 31_536_000).default(300),
  /** Store fresh rows in the cache after a write commits (through the guarded write), so the next read is a hit. Default false. */
  CACHE_WRITE_THROUGH: bool.default(false),
  /**
   * The near cache: hot entries held in this process above Redis, kept coherent by Redis's
   * invalidation messages (src/cache/near-tier.ts). Redis only. Default on (off when NODE_ENV=test).
   */
  NEAR_CACHE: z.enum(["on", "off"]).optional(),
  /** Memory bound of the near cache, bytes (estimated: text sizes plus a fixed overhead per entry). Default 67108864 (64 MiB). */
  NEAR_CACHE_MAX_BYTES: int(4096, 2 ** 40).default(defaultNearCacheMaxBytes),
  /** Longest a near entry is held without being read from Redis again, seconds. Default 60. */
  NEAR_CACHE_MAX_AGE_SECONDS: int(1, 86_400).default(defaultNearCacheOptions.maxAgeMs / 1000),
  /**
   * on: a request reads near entries only after a PING on the tracking connection, sent after it
   * started, has come back (no stale read once a write has returned). off: no wait, but a write
   * that returned less than one network delay before may not be seen yet. Default on.
   */
  NEAR_CACHE_BARRIER: z.enum(["on", "off"]).default("on"),
  // Faults for the consistency checker's gateway processes (scripts/consistency), refused when
  // NODE_ENV=production: each one breaks a guarantee on purpose so the checker can see it break.
  /** Test only: pause of every cache fill between its database read and its write-back, ms (widens the race the guard closes). Default 0. */
  CACHE_TEST_FILL_DELAY_MS: int(0, 60_000).default(0),
  /** Test only: store every cache fill without checking its lease (the guard off). Default false. */
  CACHE_TEST_UNGUARDED_FILLS: bool.default(false),
  /** Test only: commit writes without invalidating the cache. Default false. */
  CACHE_TEST_SKIP_INVALIDATION: bool.default(false),
  /** Test only: do not apply recent invalidations again on a new Redis server. Default false. */
  CACHE_TEST_SKIP_FAILOVER_REPLAY: bool.default(false),
  /** pino log level. Default info (silent under test). */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  // Search (src/runtime/search.ts wires src/modules/search and src/data/search).
  /** Where product vectors live: auto (qdrant when QDRANT_URL is set, else pgvector when the database has it, else none), pgvector, qdrant, none. Default auto. */
  VECTOR_INDEX: z.enum(["auto", "pgvector", "qdrant", "none"]).default("auto"),
  /** Qdrant's REST URL (http:// or https://), e.g. http://127.0.0.1:6333. */
  QDRANT_URL: z.string().regex(/^https?:\/\//, "must be an http:// or https:// URL").optional(),
  /** Qdrant API key, when the server needs one. */
  QDRANT_API_KEY: z.string().min(1).optional(),
  /** Qdrant collection of product vectors, created on start. Default catalog_products. */
  QDRANT_COLLECTION: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, "must be letters, digits, _ or -").default("catalog_products"),
  /** Qdrant request timeout, ms. Default 2000. */
  QDRANT_TIMEOUT_MS: int(50, 120_000).default(2000),
  /** How texts become vectors: local (deterministic, no network) or http (an OpenAI-compatible /embeddings endpoint). Default local. */
  EMBEDDER: z.enum(["local", "http"]).default("local"),
  /** Base URL of the OpenAI-compatible API (POST <url>/embeddings), e.g. https://api.openai.com/v1. Required when EMBEDDER=http. */
  EMBEDDER_URL: z.string().regex(/^https?:\/\//, "must be an http:// or https:// URL").optional(),
  /** Model name sent to the HTTP embedder. Default text-embedding-3-small. */
  EMBEDDER_MODEL: z.string().min(1).default("text-embedding-3-small"),
  /** Bearer token of the HTTP embedder. */
  EMBEDDER_API_KEY: z.string().min(1).optional(),
  /** HTTP embedder request timeout, ms. Default 10000. */
  EMBEDDER_TIMEOUT_MS: int(50, 300_000).default(10_000),
  /** Texts per HTTP embedder request. Default 128. */
  EMBEDDER_BATCH_SIZE: int(1, 2048).default(128),
  /** Length of every vector (the HTTP embedder is asked for it). Default 128: the local embedder ranks as well as at 256 on the Best Buy set, and the embedded start indexes 5,000 products in about 2 s. */
  EMBEDDING_DIMENSIONS: int(8, 4096).default(128),
  /** k of reciprocal rank fusion: score = sum of 1 / (k + rank). Default 60. */
  SEARCH_RRF_K: int(1, 10_000).default(60),
  /**
   * Weight of the vector ranking in HYBRID's fusion, the full-text ranking's being 1. Default 0.5:
   * the local embedder is lexical (hashed words and trigrams) and, weighed equally, its neighbours
   * crowded out text matches of the query's category; with a semantic model (EMBEDDER=http), 1.
   */
  SEARCH_RRF_VECTOR_WEIGHT: z.coerce.number().min(0).max(10).default(0.5),
  /**
   * Share of a text match's within-tier score that is popularity (the rest is ts_rank), 0..1: within
   * a field tier (name, brand, category path, description), how much the catalog's best sellers lead
   * over the closest wording. Default 0.7.
   */
  SEARCH_POPULARITY_WEIGHT: z.coerce.number().min(0).max(1).default(0.7),
  /** Largest `first` of Query.search; larger is a BAD_USER_INPUT. Default 100. */
  MAX_SEARCH_PAGE_SIZE: int(1, 1000).default(100),
  /** Longest search query, characters (after trimming); longer is a BAD_USER_INPUT. Default 256. */
  MAX_SEARCH_QUERY_LENGTH: int(1, 10_000).default(256),
  /** Ranked hits one search keeps and pages through (totalCount still counts every match). Default 1000. */
  SEARCH_MAX_RESULTS: int(1, 100_000).default(1000),
  /**
   * Most text matches a search reads, ranks and counts; 0: every match. A query matching more (a
   * common word) ranks a shortlist of candidates instead (the top tier's matches, the most popular,
   * the first found) and says so: totalCount and the facets are then lower bounds
   * (SearchResult.totalIsLowerBound, notice CANDIDATES_LIMITED). Default 2000.
   */
  SEARCH_CANDIDATE_LIMIT: int(0, 10_000_000).default(2000),
  /** Nearest neighbours the vector side contributes to a search. Default 100. */
  SEARCH_VECTOR_CANDIDATES: int(1, 10_000).default(100),
  /** Least cosine similarity for a vector neighbour to count as a match, -1 to 1. Default 0.3 (tuned for the local embedder). */
  SEARCH_VECTOR_MIN_SCORE: z.coerce.number().min(-1).max(1).default(0.3),
  /** After the vector side fails, HYBRID answers from text (and VECTOR is unavailable) for this long before retrying, ms. Default 10000. */
  SEARCH_VECTOR_RETRY_MS: int(0, 3_600_000).default(10_000),
  /** Most values per facet (the most frequent first). Default 50. */
  SEARCH_FACET_VALUES: int(1, 10_000).default(50),
  /** Synonym and abbreviation rules applied to search queries, read at start (format in the file); "" for none. Default config/synonyms.txt. */
  SEARCH_SYNONYMS_FILE: z.string().default(DEFAULT_SYNONYMS_FILE),
  /** Default and largest `limit` of Query.autocomplete. Defaults 10 and 50. */
  AUTOCOMPLETE_DEFAULT_LIMIT: int(1, 1000).default(10),
  AUTOCOMPLETE_MAX_LIMIT: int(1, 1000).default(50),
  /** Embed and index, at start, every product the vector index lacks or holds with other text. Default true. */
  VECTOR_SYNC_ON_START: bool.default(true),
  // The public edge (src/edge): bounds on what a client sends, checked before anything runs.
  /** Deepest nesting of objects and arrays in variables, extensions and JSON values. Default 32. */
  MAX_INPUT_DEPTH: int(1, 1000).default(defaultJsonLimits.maxDepth),
  /** Most values in the variables (or extensions) of one request. Default 200000. */
  MAX_INPUT_NODES: int(1, 10_000_000).default(defaultJsonLimits.maxNodes),
  /** Longest string (or object key) a client may send, characters. Default 100000. */
  MAX_INPUT_STRING_LENGTH: int(1, 100_000_000).default(defaultJsonLimits.maxStringLength),
  /** Deepest selection of an operation. Default 15. */
  MAX_QUERY_DEPTH: int(1, 1000).default(defaultOperationLimits.maxDepth),
  /** Most aliases in an operation. Default 15. */
  MAX_QUERY_ALIASES: int(0, 100_000).default(defaultOperationLimits.maxAliases),
  /** Most lexical tokens in a document. Default 2000. */
  MAX_QUERY_TOKENS: int(1, 1_000_000).default(defaultOperationLimits.maxTokens),
  /** Most directives in an operation. Default 50. */
  MAX_QUERY_DIRECTIVES: int(0, 100_000).default(defaultOperationLimits.maxDirectives),
  /** Largest estimated cost of an operation (fields times list sizes). Default 50000. */
  MAX_QUERY_COST: int(1, 1_000_000_000).default(defaultOperationLimits.maxCost),
  /** Rate limits (src/edge/rate-limit.ts), on the shared Redis when REDIS_URL is set. Default on, off when NODE_ENV=test (tests turn them on). */
  RATE_LIMIT: z.enum(["on", "off"]).optional(),
  /** Estimated cost an anonymous client IP may spend per RATE_LIMIT_WINDOW_SECONDS. Default 1000000. */
  RATE_LIMIT_IP_COST: int(1, 1_000_000_000).default(defaultRateLimitOptions.ip.points),
  /** Estimated cost a token's subject may spend per RATE_LIMIT_WINDOW_SECONDS. Default 5000000. */
  RATE_LIMIT_SUBJECT_COST: int(1, 1_000_000_000).default(defaultRateLimitOptions.subject.points),
  /** Mutations a caller (subject, else IP) may send per RATE_LIMIT_WINDOW_SECONDS. Default 300. */
  RATE_LIMIT_WRITES: int(1, 1_000_000_000).default(defaultRateLimitOptions.writes.points),
  /** Window of the cost and writes budgets, seconds. Default 60. */
  RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400).default(defaultRateLimitOptions.ip.windowSeconds),
  /** Requests with a bad token an IP may send per RATE_LIMIT_FAILED_AUTH_WINDOW_SECONDS. Default 30. */
  RATE_LIMIT_FAILED_AUTH: int(1, 1_000_000).default(defaultRateLimitOptions.failedAuth.points),
  /** Window of the failed-auth budget, seconds. Default 300. */
  RATE_LIMIT_FAILED_AUTH_WINDOW_SECONDS: int(1, 86_400).default(defaultRateLimitOptions.failedAuth.windowSeconds),
  /** Proxies whose X-Forwarded-For is believed (addresses, CIDRs, or loopback, linklocal, uniquelocal), comma separated. Default none: the socket's peer is the client. */
  TRUSTED_PROXIES: list.default([]),
  /** off (no persisted documents), allow (hashes and any text from anyone), require (anonymous callers run only trusted documents). Default allow. */
  TRUSTED_DOCUMENTS: z.enum(["off", "allow", "require"]).default("allow"),
  /** Manifests of trusted documents (hash -> document JSON), comma separated. Default: codegen's, for the examples and the storefront. */
  TRUSTED_DOCUMENTS_MANIFEST: list.optional(),
  /** How long an automatic persisted query's registration is kept, seconds. Default 86400. */
  PERSISTED_QUERY_TTL_SECONDS: int(1, 31_536_000).default(86_400),
});

/** The manifest codegen's client preset writes for the example operations (codegen.yml), loaded when TRUSTED_DOCUMENTS_MANIFEST is unset. */
export const defaultManifestPath = path.resolve(__dirname, "generated/client/persisted-documents.json");
/** The storefront's manifest (codegen.yml), loaded with the examples' one when TRUSTED_DOCUMENTS_MANIFEST is unset. */
export const storefrontManifestPath = path.resolve(__dirname, "../storefront/src/generated/persisted-documents.json");

export type Env = Record<string, string | undefined>;

export interface Config {
  env: "development" | "production" | "test";
  http: {
    host: string;
    port: number;
    corsOrigins: string[];
    introspection: boolean;
    /** TRUSTED_PROXIES: whose X-Forwarded-For names the client. */
    trustedProxies: string[];
  };
  database: DatabaseConfig;
  /** Bounds of a write's transaction (DATABASE_TRANSACTION_*). */
  transactions: { timeoutMs: number; maxWaitMs: number };
  migrateOnStart: boolean;
  seed: { dir?: string; products: number; categories: number };
  pagination: { defaultPageSize: number; maxPageSize: number };
  cache: {
    store: "redis" | "memory" | "none";
    redisUrl?: string;
    /** REDIS_CLUSTER_NODES: seed nodes of a Redis Cluster; set instead of redisUrl. */
    redisClusterNodes?: ClusterNode[];
    /** CACHE_RESPONSE_SHARDS (see there). */
    responseShards: number;
    prefix: string;
    /** Per family; CACHE_TTL_<FAMILY> overrides one, e.g. CACHE_TTL_PROD=600, CACHE_TTL_PRODS_CAT=60. */
    ttlSeconds: FamilyTtls;
    negativeTtlSeconds: number;
    maxConcurrentFills: number;
    memoryMaxEntries: number;
    redisCommandTimeoutMs: number;
    /** The circuit breaker around the store (CACHE_CALL_TIMEOUT_MS, CACHE_CIRCUIT_*). */
    circuit: { callTimeoutMs: number; failureThreshold: number; coolDownMs: number };
    /** Leases, TTL jitter and stale-while-revalidate grace per family of the read path (CACHE_LEASE_*, CACHE_TTL_JITTER, CACHE_SWR_*). */
    readThrough: { leaseTtlMs: number; leaseWaitMs: number; leaseRetryMs: number; ttlJitter: number; swrSeconds: Record<Family, number> };
    outboxIntervalMs: number;
    /** OUTBOX_RETAIN_SECONDS, OUTBOX_MARK_GATHER_MS, OUTBOX_HANDOFF, OUTBOX_ACK_TIMEOUT_MS, OUTBOX_LISTENER_HEARTBEAT_MS. */
    outbox: { retainSeconds: number; markGatherMs: number; handOff: boolean; ackTimeoutMs: number; heartbeatMs: number; heartbeatTimeoutMs: number };
    /** The CDN purge hook (CDN_PURGE_*); unset when CDN_PURGE_URL is. */
    purge?: PurgeConfig;
    warmOnStart: boolean;
    warmProducts: number;
    writeThrough: boolean;
    responseCache: boolean;
    /** The near cache (NEAR_CACHE_*); null when off or the store is not Redis. */
    near: { maxBytes: number; maxAgeMs: number; barrier: boolean } | null;
  };
  /** The CACHE_TEST_* faults (the consistency checker's gateway processes); all off unless set, never in production. */
  testFaults: TestFaults;
  /** The CDN in front of the gateway (CDN_*): purge target, and how long it may keep a response. */
  cdn: { purgeUrl?: string; maxAgeSeconds: number };
  auth: {
    /** The development secret when none is configured outside production (printed tokens use it). */
    jwtSecret?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    /** True when the secret is the built-in development one. */
    developmentSecret: boolean;
    /** Verified tokens remembered (AUTH_TOKEN_CACHE_SIZE, AUTH_TOKEN_CACHE_SECONDS): src/auth.ts. */
    tokenCache: { maxEntries: number; maxAgeSeconds: number };
  };
  logLevel: string;
  /** EXECUTOR, EXECUTOR_MAX_DOCUMENTS (src/execution/compiled-executor.ts), EXECUTION_FAST_PATH (src/execution/fast-path.ts). */
  execution: { executor: ExecutorKind; maxDocuments: number; fastPath: boolean };
  search: SearchConfig;
  /** The public edge: input bounds (MAX_INPUT_*), operation limits (MAX_QUERY_*) and the cost estimator's list sizes. */
  limits: { input: JsonLimits; operation: OperationLimits; cost: CostEstimates; rate: RateLimitOptions | null };
  /** TRUSTED_DOCUMENTS, TRUSTED_DOCUMENTS_MANIFEST, PERSISTED_QUERY_TTL_SECONDS. */
  trustedDocuments: TrustedDocumentsOptions;
  /** Read replicas for cache fills (DATABASE_REPLICA_URLS, REPLICA_*); null when none are configured. */
  replicas: ReplicaConfig | null;
  /** Writes raise replica marks (REPLICA_MARKS, or replicas configured); PostgreSQL only. */
  replicaMarks: { buckets: number } | null;
}

/** DATABASE_REPLICA_URLS and the REPLICA_* settings. */
export interface ReplicaConfig {
  urls: string[];
  lsnCheck: boolean;
  positionTtlMs: number;
  retryMs: number;
  connectTimeoutMs: number;
}

/** Faults a test injects through CACHE_TEST_*; see the schema above. */
export interface TestFaults {
  fillDelayMs: number;
  unguardedFills: boolean;
  skipInvalidation: boolean;
  skipFailoverReplay: boolean;
}

/** Search, autocomplete and vector settings (the SEARCH_*, VECTOR_*, QDRANT_*, EMBEDDER_* variables). */
export interface SearchConfig {
  vectorIndex: "auto" | "pgvector" | "qdrant" | "none";
  qdrant: { url?: string; apiKey?: string; collection: string; timeoutMs: number };
  embedder: EmbedderConfig;
  rrfK: number;
  rrfVectorWeight: number;
  popularityWeight: number;
  maxPageSize: number;
  defaultPageSize: number;
  maxQueryLength: number;
  maxResults: number;
  /** SEARCH_CANDIDATE_LIMIT; null: every match is read. */
  candidateLimit: number | null;
  vectorCandidates: number;
  vectorMinScore: number;
  vectorRetryMs: number;
  facetValues: number;
  /** Rules file of query synonyms; null for none. */
  synonymsFile: string | null;
  autocomplete: { defaultLimit: number; maxLimit: number };
  syncOnStart: boolean;
}

/** The secret of development tokens when JWT_SECRET is unset outside production. Never valid in production. */
export const DEVELOPMENT_JWT_SECRET = "catalog-gateway-development-secret-do-not-use-in-production";

/** CACHE_TTL_<FAMILY>: the family name upper-cased with ":" as "_" (cat:tree -> CACHE_TTL_CAT_TREE). */
export function ttlVariable(family: string): string {
  return `CACHE_TTL_${family.toUpperCase().replace(/:/g, "_")}`;
}

function familyTtls(env: Env): FamilyTtls {
  const ttls = { ...defaultFamilyTtls };
  for (const family of Object.keys(ttls) as (keyof FamilyTtls)[]) {
    const variable = ttlVariable(family);
    const raw = env[variable];
    if (raw === undefined) continue;
    const parsed = int(1, 7 * 86_400).safeParse(raw);
    if (!parsed.success) throw new ConfigError(variable, "must be a whole number of seconds from 1 to 604800", raw);
    ttls[family] = parsed.data;
  }
  return ttls;
}

/** CACHE_SWR_<FAMILY>_SECONDS: the family name upper-cased with ":" as "_" (prods:cat -> CACHE_SWR_PRODS_CAT_SECONDS). */
export function swrVariable(family: string): string {
  return `CACHE_SWR_${family.toUpperCase().replace(/:/g, "_")}_SECONDS`;
}

function familySwrSeconds(env: Env, allSeconds: number): Record<Family, number> {
  const grace = Object.fromEntries(families.map((family) => [family, allSeconds])) as Record<Family, number>;
  for (const family of families) {
    const variable = swrVariable(family);
    const raw = env[variable];
    if (raw === undefined) continue;
    const parsed = int(0, 7 * 86_400).safeParse(raw);
    if (!parsed.success) throw new ConfigError(variable, "must be a whole number of seconds from 0 (off) to 604800", raw);
    grace[family] = parsed.data;
  }
  return grace;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string, value: string | undefined) {
    super(`Invalid configuration: ${variable}=${JSON.stringify(value ?? "")} ${problem}`);
  }
}

/** Reads and validates the configuration from `env` (process.env by default). */
export function loadConfig(env: Env = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0]);
    throw new ConfigError(variable, issue.message, env[variable]);
  }
  const e = parsed.data;
  const development = e.NODE_ENV !== "production";
  const corsOrigins = development ? [...new Set([...e.CORS_ORIGINS, SANDBOX_ORIGIN])] : e.CORS_ORIGINS;
  if (e.OUTBOX_LISTENER_HEARTBEAT_MS + e.OUTBOX_LISTENER_TIMEOUT_MS >= e.OUTBOX_ACK_TIMEOUT_MS) {
    // Otherwise a write could give up on a listener that is only reconnecting.
    throw new ConfigError(
      "OUTBOX_ACK_TIMEOUT_MS",
      `must exceed OUTBOX_LISTENER_HEARTBEAT_MS + OUTBOX_LISTENER_TIMEOUT_MS (${e.OUTBOX_LISTENER_HEARTBEAT_MS + e.OUTBOX_LISTENER_TIMEOUT_MS})`,
      env.OUTBOX_ACK_TIMEOUT_MS,
    );
  }
  if (e.DEFAULT_PAGE_SIZE > e.MAX_PAGE_SIZE) {
    throw new ConfigError("DEFAULT_PAGE_SIZE", `must not exceed MAX_PAGE_SIZE (${e.MAX_PAGE_SIZE})`, env.DEFAULT_PAGE_SIZE);
  }
  return {
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT, corsOrigins, introspection: e.INTROSPECTION ?? development, trustedProxies: trustedProxies(e.TRUSTED_PROXIES, env) },
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS }
      : { kind: "pglite", dataDir: e.PGLITE_DATA_DIR },
    transactions: { timeoutMs: e.DATABASE_TRANSACTION_TIMEOUT_MS, maxWaitMs: e.DATABASE_TRANSACTION_MAX_WAIT_MS },
    migrateOnStart: e.MIGRATE_ON_START,
    seed: { dir: e.CATALOG_SEED_DIR, products: e.SEED_PRODUCTS, categories: e.SEED_CATEGORIES },
    pagination: { defaultPageSize: e.DEFAULT_PAGE_SIZE, maxPageSize: e.MAX_PAGE_SIZE },
    cache: {
      store: cacheStore(e.CACHE_STORE, e.REDIS_URL, e.REDIS_CLUSTER_NODES, env),
      redisUrl: e.REDIS_URL,
      redisClusterNodes: e.REDIS_CLUSTER_NODES,
      responseShards: e.CACHE_RESPONSE_SHARDS ?? (e.REDIS_CLUSTER_NODES ? clusterResponseShards : defaultResponseShards),
      prefix: e.CACHE_PREFIX,
      ttlSeconds: familyTtls(env),
      negativeTtlSeconds: e.CACHE_NEGATIVE_TTL_SECONDS,
      maxConcurrentFills: e.CACHE_MAX_CONCURRENT_FILLS,
      memoryMaxEntries: e.CACHE_MEMORY_MAX_ENTRIES,
      redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      circuit: {
        callTimeoutMs: e.CACHE_CALL_TIMEOUT_MS ?? 2 * e.REDIS_COMMAND_TIMEOUT_MS,
        failureThreshold: e.CACHE_CIRCUIT_FAILURE_THRESHOLD,
        coolDownMs: e.CACHE_CIRCUIT_COOL_DOWN_MS,
      },
      readThrough: {
        leaseTtlMs: e.CACHE_LEASE_TTL_MS,
        leaseWaitMs: e.CACHE_LEASE_WAIT_MS,
        leaseRetryMs: e.CACHE_LEASE_RETRY_MS,
        ttlJitter: e.CACHE_TTL_JITTER,
        swrSeconds: familySwrSeconds(env, e.CACHE_SWR_SECONDS),
      },
      outboxIntervalMs: e.OUTBOX_REPLAY_INTERVAL_MS,
      outbox: {
        retainSeconds: e.OUTBOX_RETAIN_SECONDS,
        markGatherMs: e.OUTBOX_MARK_GATHER_MS,
        handOff: e.OUTBOX_HANDOFF,
        ackTimeoutMs: e.OUTBOX_ACK_TIMEOUT_MS,
        heartbeatMs: e.OUTBOX_LISTENER_HEARTBEAT_MS,
        heartbeatTimeoutMs: e.OUTBOX_LISTENER_TIMEOUT_MS,
      },
      purge: e.CDN_PURGE_URL
        ? { url: e.CDN_PURGE_URL, token: e.CDN_PURGE_TOKEN, tokenHeader: e.CDN_PURGE_TOKEN_HEADER, timeoutMs: e.CDN_PURGE_TIMEOUT_MS, batchSize: defaultPurgeConfig.batchSize }
        : undefined,
      warmOnStart: e.CACHE_WARM_ON_START,
      warmProducts: e.CACHE_WARM_PRODUCTS,
      writeThrough: e.CACHE_WRITE_THROUGH,
      responseCache: e.CACHE_RESPONSES,
      near:
        nearCacheOn(e.NEAR_CACHE, e.NODE_ENV, e.REDIS_CLUSTER_NODES, env) && cacheStore(e.CACHE_STORE, e.REDIS_URL, e.REDIS_CLUSTER_NODES, env) === "redis"
          ? { maxBytes: e.NEAR_CACHE_MAX_BYTES, maxAgeMs: e.NEAR_CACHE_MAX_AGE_SECONDS * 1000, barrier: e.NEAR_CACHE_BARRIER === "on" }
          : null,
    },
    testFaults: testFaults(e, env),
    cdn: { purgeUrl: e.CDN_PURGE_URL, maxAgeSeconds: e.CDN_MAX_AGE_SECONDS },
    auth: authConfig(e, env),
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === "test" ? "silent" : "info"),
    execution: { executor: e.EXECUTOR, maxDocuments: e.EXECUTOR_MAX_DOCUMENTS, fastPath: e.EXECUTION_FAST_PATH === "on" },
    search: searchConfig(e, env),
    limits: {
      input: { maxDepth: e.MAX_INPUT_DEPTH, maxNodes: e.MAX_INPUT_NODES, maxStringLength: e.MAX_INPUT_STRING_LENGTH },
      operation: {
        maxDepth: e.MAX_QUERY_DEPTH,
        maxAliases: e.MAX_QUERY_ALIASES,
        maxTokens: e.MAX_QUERY_TOKENS,
        maxDirectives: e.MAX_QUERY_DIRECTIVES,
        maxCost: e.MAX_QUERY_COST,
      },
      cost: {
        ...defaultCostEstimates,
        defaultPageSize: e.DEFAULT_PAGE_SIZE,
        searchPageSize: Math.min(e.DEFAULT_PAGE_SIZE, e.MAX_SEARCH_PAGE_SIZE),
        facetValues: e.SEARCH_FACET_VALUES,
      },
      rate:
        (e.RATE_LIMIT ?? (e.NODE_ENV === "test" ? "off" : "on")) === "off"
          ? null
          : {
              ip: { points: e.RATE_LIMIT_IP_COST, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS },
              subject: { points: e.RATE_LIMIT_SUBJECT_COST, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS },
              writes: { points: e.RATE_LIMIT_WRITES, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS },
              failedAuth: { points: e.RATE_LIMIT_FAILED_AUTH, windowSeconds: e.RATE_LIMIT_FAILED_AUTH_WINDOW_SECONDS },
            },
    },
    trustedDocuments: {
      mode: e.TRUSTED_DOCUMENTS,
      manifestPaths: e.TRUSTED_DOCUMENTS_MANIFEST ?? [defaultManifestPath, storefrontManifestPath],
      optional: e.TRUSTED_DOCUMENTS_MANIFEST === undefined,
      ttlSeconds: e.PERSISTED_QUERY_TTL_SECONDS,
    },
    replicas: replicaConfig(e, env),
    replicaMarks: e.DATABASE_URL && (e.REPLICA_MARKS || e.DATABASE_REPLICA_URLS?.length) ? { buckets: e.REPLICA_MARK_BUCKETS } : null,
  };
}

// Replicas serve fills of a PostgreSQL primary; the embedded database has none.
function replicaConfig(e: z.infer<typeof schema>, env: Env): ReplicaConfig | null {
  if (!e.DATABASE_REPLICA_URLS?.length) return null;
  if (!e.DATABASE_URL) throw new ConfigError("DATABASE_REPLICA_URLS", "needs DATABASE_URL (replicas of a PostgreSQL primary; the embedded database has none)", env.DATABASE_REPLICA_URLS);
  return {
    urls: e.DATABASE_REPLICA_URLS,
    lsnCheck: e.REPLICA_LSN_CHECK,
    positionTtlMs: e.REPLICA_POSITION_TTL_MS,
    retryMs: e.REPLICA_RETRY_MS,
    connectTimeoutMs: e.REPLICA_CONNECT_TIMEOUT_MS,
  };
}

function trustedProxies(proxies: string[], env: Env): string[] {
  try {
    createClientAddress(proxies);
  } catch (error) {
    throw new ConfigError("TRUSTED_PROXIES", `must list addresses or CIDRs (${(error as Error).message})`, env.TRUSTED_PROXIES);
  }
  return proxies;
}

function searchConfig(e: z.infer<typeof schema>, env: Env): SearchConfig {
  if (e.VECTOR_INDEX === "qdrant" && !e.QDRANT_URL) throw new ConfigError("VECTOR_INDEX", "is qdrant but QDRANT_URL is not set", env.VECTOR_INDEX);
  if (e.EMBEDDER === "http" && !e.EMBEDDER_URL) throw new ConfigError("EMBEDDER_URL", "must be set when EMBEDDER=http", env.EMBEDDER_URL);
  if (e.AUTOCOMPLETE_DEFAULT_LIMIT > e.AUTOCOMPLETE_MAX_LIMIT) {
    throw new ConfigError("AUTOCOMPLETE_DEFAULT_LIMIT", `must not exceed AUTOCOMPLETE_MAX_LIMIT (${e.AUTOCOMPLETE_MAX_LIMIT})`, env.AUTOCOMPLETE_DEFAULT_LIMIT);
  }
  const dimensions = e.EMBEDDING_DIMENSIONS;
  return {
    vectorIndex: e.VECTOR_INDEX,
    qdrant: { url: e.QDRANT_URL, apiKey: e.QDRANT_API_KEY, collection: e.QDRANT_COLLECTION, timeoutMs: e.QDRANT_TIMEOUT_MS },
    embedder:
      e.EMBEDDER === "http"
        ? { kind: "http", dimensions, url: e.EMBEDDER_URL!, model: e.EMBEDDER_MODEL, apiKey: e.EMBEDDER_API_KEY, timeoutMs: e.EMBEDDER_TIMEOUT_MS, batchSize: e.EMBEDDER_BATCH_SIZE }
        : { kind: "local", dimensions },
    rrfK: e.SEARCH_RRF_K,
    rrfVectorWeight: e.SEARCH_RRF_VECTOR_WEIGHT,
    popularityWeight: e.SEARCH_POPULARITY_WEIGHT,
    maxPageSize: e.MAX_SEARCH_PAGE_SIZE,
    defaultPageSize: Math.min(e.DEFAULT_PAGE_SIZE, e.MAX_SEARCH_PAGE_SIZE),
    maxQueryLength: e.MAX_SEARCH_QUERY_LENGTH,
    maxResults: e.SEARCH_MAX_RESULTS,
    candidateLimit: e.SEARCH_CANDIDATE_LIMIT === 0 ? null : e.SEARCH_CANDIDATE_LIMIT,
    vectorCandidates: e.SEARCH_VECTOR_CANDIDATES,
    vectorMinScore: e.SEARCH_VECTOR_MIN_SCORE,
    vectorRetryMs: e.SEARCH_VECTOR_RETRY_MS,
    facetValues: e.SEARCH_FACET_VALUES,
    synonymsFile: e.SEARCH_SYNONYMS_FILE === "" ? null : e.SEARCH_SYNONYMS_FILE,
    autocomplete: { defaultLimit: e.AUTOCOMPLETE_DEFAULT_LIMIT, maxLimit: e.AUTOCOMPLETE_MAX_LIMIT },
    syncOnStart: e.VECTOR_SYNC_ON_START,
  };
}

/**
 * Whether the near cache runs: NEAR_CACHE, else on outside tests. Not on a Redis Cluster yet: its
 * tracking connection hears one node's writes, and a cluster needs one per master.
 */
function nearCacheOn(setting: "on" | "off" | undefined, nodeEnv: string | undefined, clusterNodes: ClusterNode[] | undefined, env: Env): boolean {
  if (clusterNodes) {
    if (setting === "on") throw new ConfigError("NEAR_CACHE", "is on with REDIS_CLUSTER_NODES; the near cache runs on a single Redis (REDIS_URL) only", env.NEAR_CACHE);
    return false;
  }
  return (setting ?? (nodeEnv === "test" ? "off" : "on")) === "on";
}

/** CACHE_RESPONSE_SHARDS when REDIS_CLUSTER_NODES is set and it is not. */
export const clusterResponseShards = 8;

function cacheStore(store: "redis" | "memory" | "none" | undefined, redisUrl: string | undefined, clusterNodes: ClusterNode[] | undefined, env: Env) {
  if (redisUrl && clusterNodes) throw new ConfigError("REDIS_CLUSTER_NODES", "is set together with REDIS_URL; set one of them", env.REDIS_CLUSTER_NODES);
  if (store === "redis" && !redisUrl && !clusterNodes) throw new ConfigError("CACHE_STORE", "is redis but neither REDIS_URL nor REDIS_CLUSTER_NODES is set", env.CACHE_STORE);
  return store ?? (redisUrl || clusterNodes ? "redis" : "memory");
}

// The CACHE_TEST_* faults; any of them set under NODE_ENV=production is refused, naming it.
function testFaults(e: z.infer<typeof schema>, env: Env): TestFaults {
  const faults = {
    fillDelayMs: e.CACHE_TEST_FILL_DELAY_MS,
    unguardedFills: e.CACHE_TEST_UNGUARDED_FILLS,
    skipInvalidation: e.CACHE_TEST_SKIP_INVALIDATION,
    skipFailoverReplay: e.CACHE_TEST_SKIP_FAILOVER_REPLAY,
  };
  if (e.NODE_ENV === "production") {
    const set = (["CACHE_TEST_FILL_DELAY_MS", "CACHE_TEST_UNGUARDED_FILLS", "CACHE_TEST_SKIP_INVALIDATION", "CACHE_TEST_SKIP_FAILOVER_REPLAY"] as const).find(
      (variable) => env[variable] !== undefined,
    );
    if (set) throw new ConfigError(set, "is a fault for tests only; it is refused when NODE_ENV=production", env[set]);
  }
  return faults;
}

function authConfig(e: z.infer<typeof schema>, env: Env): Config["auth"] {
  const production = e.NODE_ENV === "production";
  if (production && !e.JWT_SECRET && !e.JWT_JWKS_URL) {
    throw new ConfigError("JWT_SECRET", "must be set in production (or JWT_JWKS_URL): writes need verified tokens", env.JWT_SECRET);
  }
  const developmentSecret = !e.JWT_SECRET && !e.JWT_JWKS_URL;
  return {
    jwtSecret: e.JWT_SECRET ?? (developmentSecret ? DEVELOPMENT_JWT_SECRET : undefined),
    jwksUrl: e.JWT_JWKS_URL,
    issuer: e.JWT_ISSUER,
    audience: e.JWT_AUDIENCE,
    developmentSecret,
    tokenCache: { maxEntries: e.AUTH_TOKEN_CACHE_SIZE, maxAgeSeconds: e.AUTH_TOKEN_CACHE_SECONDS },
  };
}
