import { ConfigError, SANDBOX_ORIGIN, loadConfig } from "../../src/config";

describe("loadConfig", () => {
  it("defaults to the embedded database, the in-process cache and port 4000 on 127.0.0.1", () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: "pglite", dataDir: ".data/pglite" });
    expect(config.cache.store).toBe("memory");
    expect(config.http).toMatchObject({ host: "127.0.0.1", port: 4000, introspection: true });
    expect(config.http.corsOrigins).toContain(SANDBOX_ORIGIN);
  });

  it("uses PostgreSQL and Redis when their URLs are set", () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://u@h:5432/db", REDIS_URL: "redis://127.0.0.1:6379" });
    expect(config.database).toMatchObject({ kind: "postgres", url: "postgresql://u@h:5432/db" });
    expect(config.cache.store).toBe("redis");
  });

  it("uses a Redis Cluster when its nodes are set, with sharded whole responses", () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis-b:7001,[::1]:7002" });
    expect(config.cache.store).toBe("redis");
    expect(config.cache.redisClusterNodes).toEqual([
      { host: "10.0.0.1", port: 7000 },
      { host: "redis-b", port: 7001 },
      { host: "::1", port: 7002 },
    ]);
    expect(config.cache.responseShards).toBe(8);
    expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).cache.responseShards).toBe(1);
    expect(loadConfig({ REDIS_CLUSTER_NODES: "h:1", CACHE_RESPONSE_SHARDS: "3" }).cache.responseShards).toBe(3);
  });

  it("runs the near cache on one Redis, never on a cluster", () => {
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: "x".repeat(32), REDIS_URL: "redis://h:1" }).cache.near).not.toBeNull();
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: "x".repeat(32), REDIS_CLUSTER_NODES: "h:1" }).cache.near).toBeNull();
  });

  it("executes with graphql-jit unless EXECUTOR says graphql-js, known queries on the fast path unless EXECUTION_FAST_PATH=off", () => {
    expect(loadConfig({}).execution).toEqual({ executor: "jit", maxDocuments: 1000, fastPath: true });
    expect(loadConfig({ EXECUTOR: "graphql-js", EXECUTOR_MAX_DOCUMENTS: "50", EXECUTION_FAST_PATH: "off" }).execution).toEqual({ executor: "graphql-js", maxDocuments: 50, fastPath: false });
    expect(() => loadConfig({ EXECUTION_FAST_PATH: "yes" })).toThrow(/EXECUTION_FAST_PATH/);
  });

  it("turns introspection and Sandbox's origin off in production unless asked", () => {
    const config = loadConfig({ NODE_ENV: "production", CORS_ORIGINS: "https://shop.example", JWT_SECRET: "x".repeat(32) });
    expect(config.http.introspection).toBe(false);
    expect(config.http.corsOrigins).toEqual(["https://shop.example"]);
  });

  it.each([
    ["PORT", { PORT: "http" }],
    ["PORT", { PORT: "70000" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://x" }],
    ["REDIS_URL", { REDIS_URL: "localhost:6379" }],
    ["REDIS_CLUSTER_NODES", { REDIS_CLUSTER_NODES: "10.0.0.1" }],
    ["REDIS_CLUSTER_NODES", { REDIS_CLUSTER_NODES: "h:1,h:99999" }],
    ["REDIS_CLUSTER_NODES", { REDIS_CLUSTER_NODES: "h:1", REDIS_URL: "redis://h:2" }],
    ["CACHE_RESPONSE_SHARDS", { CACHE_RESPONSE_SHARDS: "0" }],
    ["EXECUTOR", { EXECUTOR: "v8" }],
    ["EXECUTOR_MAX_DOCUMENTS", { EXECUTOR_MAX_DOCUMENTS: "0" }],
    ["NEAR_CACHE", { NEAR_CACHE: "on", REDIS_CLUSTER_NODES: "h:1" }],
    ["CACHE_PREFIX", { CACHE_PREFIX: "cg:{v1}:" }],
    ["MAX_PAGE_SIZE", { MAX_PAGE_SIZE: "0" }],
    ["CACHE_TTL_PROD", { CACHE_TTL_PROD: "-5" }],
    ["CACHE_STORE", { CACHE_STORE: "redis" }],
    ["CACHE_SWR_SECONDS", { CACHE_SWR_SECONDS: "soon" }],
    ["CACHE_SWR_PRODS_CAT_SECONDS", { CACHE_SWR_PRODS_CAT_SECONDS: "-1" }],
    ["CDN_PURGE_URL", { CDN_PURGE_URL: "not a url" }],
    ["JWT_SECRET", { NODE_ENV: "production" }],
    ["JWT_SECRET", { JWT_SECRET: "too-short" }],
    ["CACHE_TEST_FILL_DELAY_MS", { CACHE_TEST_FILL_DELAY_MS: "-1" }],
    ["CACHE_TEST_UNGUARDED_FILLS", { CACHE_TEST_UNGUARDED_FILLS: "yes" }],
    // Faults for tests are refused in production, even set to their harmless value.
    ["CACHE_TEST_FILL_DELAY_MS", { NODE_ENV: "production", JWT_SECRET: "x".repeat(32), CACHE_TEST_FILL_DELAY_MS: "0" }],
    ["CACHE_TEST_UNGUARDED_FILLS", { NODE_ENV: "production", JWT_SECRET: "x".repeat(32), CACHE_TEST_UNGUARDED_FILLS: "true" }],
    ["CACHE_TEST_SKIP_INVALIDATION", { NODE_ENV: "production", JWT_SECRET: "x".repeat(32), CACHE_TEST_SKIP_INVALIDATION: "false" }],
    ["CACHE_TEST_SKIP_FAILOVER_REPLAY", { NODE_ENV: "production", JWT_SECRET: "x".repeat(32), CACHE_TEST_SKIP_FAILOVER_REPLAY: "true" }],
  ])("names %s when its value is bad", (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable}=`));
  });

  it("reads the test-only faults (CACHE_TEST_*), all off by default", () => {
    expect(loadConfig({}).testFaults).toEqual({ fillDelayMs: 0, unguardedFills: false, skipInvalidation: false, skipFailoverReplay: false });
    const env = { NODE_ENV: "test", CACHE_TEST_FILL_DELAY_MS: "30", CACHE_TEST_UNGUARDED_FILLS: "true", CACHE_TEST_SKIP_INVALIDATION: "1", CACHE_TEST_SKIP_FAILOVER_REPLAY: "true" };
    expect(loadConfig(env).testFaults).toEqual({ fillDelayMs: 30, unguardedFills: true, skipInvalidation: true, skipFailoverReplay: true });
  });

  it("overrides one family's TTL", () => {
    expect(loadConfig({ CACHE_TTL_PRODS_CAT: "60" }).cache.ttlSeconds["prods:cat"]).toBe(60);
  });

  it("turns stale-while-revalidate off by default, on for every family or one", () => {
    expect(Object.values(loadConfig({}).cache.readThrough.swrSeconds).every((seconds) => seconds === 0)).toBe(true);
    const swr = loadConfig({ CACHE_SWR_SECONDS: "30", CACHE_SWR_PRODS_CAT_SECONDS: "120", CACHE_SWR_PROD_SECONDS: "0" }).cache.readThrough.swrSeconds;
    expect([swr.cat, swr["prods:cat"], swr.prod]).toEqual([30, 120, 0]);
  });

  it("configures the CDN purge hook only with a URL", () => {
    expect(loadConfig({}).cache.purge).toBeUndefined();
    expect(loadConfig({ CDN_PURGE_URL: "https://cdn.example/purge", CDN_PURGE_TOKEN: "Bearer t" }).cache.purge).toEqual({
      url: "https://cdn.example/purge",
      token: "Bearer t",
      tokenHeader: "authorization",
      timeoutMs: 2000,
      batchSize: 256,
    });
  });

  it("configures read replicas only beside a PostgreSQL primary, with the LSN check on by default", () => {
    expect(loadConfig({ DATABASE_URL: "postgresql://u@h/db" }).replicas).toBeNull();
    const config = loadConfig({ DATABASE_URL: "postgresql://u@h/db", DATABASE_REPLICA_URLS: "postgresql://u@r1/db, postgres://u@r2/db" });
    expect(config.replicas).toEqual({
      urls: ["postgresql://u@r1/db", "postgres://u@r2/db"],
      lsnCheck: true,
      positionTtlMs: 5,
      retryMs: 1000,
      connectTimeoutMs: 1000,
    });
    expect(config.replicaMarks).toEqual({ buckets: 4096 });
    // Marks without replicas: every instance marks its writes before any reads a replica.
    expect(loadConfig({ DATABASE_URL: "postgresql://u@h/db", REPLICA_MARKS: "true" }).replicaMarks).toEqual({ buckets: 4096 });
    expect(loadConfig({ DATABASE_URL: "postgresql://u@h/db" }).replicaMarks).toBeNull();
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: "postgresql://u@r1/db" })).toThrow(/DATABASE_REPLICA_URLS=.*needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: "postgresql://u@h/db", DATABASE_REPLICA_URLS: "mysql://r1" })).toThrow(/DATABASE_REPLICA_URLS/);
    expect(() => loadConfig({ REPLICA_LSN_CHECK: "maybe" })).toThrow(/REPLICA_LSN_CHECK/);
  });
});
