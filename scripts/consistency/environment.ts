import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { Client } from "pg";
import { signToken } from "../../src/auth";
import { createRedisConnection, waitForReady, type ClusterNode } from "../../src/cache/redis-client";
import { createRedisStore } from "../../src/cache/redis-store";
import { createResilientStore } from "../../src/cache/resilient-store";
import type { CacheStore } from "../../src/cache/store";
import { loadConfig } from "../../src/config";
import { createDatabase, type Database } from "../../src/data/database";
import { migrate } from "../../src/data/migrator";
import { startGateway, type Gateway } from "../../src/server";
import { startGatewayProcess, type GatewayProcess } from "./gateway-processes";
import { ownRedisCluster, type OwnRedisCluster } from "./redis-cluster";
import { createPostgresServer, createReplicaServer, type PostgresServer } from "../../test/helpers/postgres-server";
import { ownRedis, type OwnRedis } from "./redis-process";
import { createTcpProxy, type TcpProxy } from "./tcp-proxy";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The checker's world: a PostgreSQL database of its own, a key prefix of its own in a shared
 * Redis, and two gateway instances over both, each with its own connections, DataLoaders and
 * single-flight state, exactly as two processes behind a load balancer would have; or, with
 * `processes`, gateways that are operating-system processes of their own (gateway-processes.ts),
 * the faults passed to them as CACHE_TEST_* settings.
 */

export interface EnvironmentOptions {
  /** A PostgreSQL server URL the checker may CREATE DATABASE on (the database name is replaced). */
  postgresUrl: string;
  /** The Redis the two gateways share; only keys under the checker's own prefix are touched. */
  redisUrl: string;
  /** Guarded fills (leases checked in Lua); false stores every fill, the race DESIGN.md promise 2 closes. */
  guard: boolean;
  /** Apply each write's footprint to the cache; false commits writes without touching it. */
  invalidation: boolean;
  /** Pause of every cache fill between its database read and its write-back, ms (widens the race). */
  fillDelayMs: number;
  /** Connections of each gateway's PostgreSQL pool. */
  poolSize: number;
  /** Gateway 0 reaches Redis through a proxy that stops the traffic for `cutMs` every `cutMs + healMs`. */
  partition?: { cutMs: number; healMs: number };
  /** OUTBOX_HANDOFF of both gateways. Default true. */
  handOff?: boolean;
  /**
   * Redis fails over every `everyMs`: both gateways reach a primary through a proxy; its replica
   * stops replicating `lagMs` before the primary is killed (what it missed is lost, as with
   * asynchronous replication), the proxy moves to it, and a new replica of it is started.
   * Replaces `redisUrl` for the gateways.
   */
  failover?: { everyMs: number; lagMs: number };
  /** Skip applying the recent invalidations again on a new Redis server (a fault that must produce stale reads under failovers). */
  skipFailoverReplay?: boolean;
  /** Start a 3-master Redis Cluster of the run's own and run the gateways on it (REDIS_CLUSTER_NODES) instead of `redisUrl`. */
  cluster?: boolean;
  /** Gateway instances. Default 2. */
  instances?: number;
  /** The near cache on both gateways. Default false. */
  near?: boolean;
  /** With `near`, ignore every invalidation in the near cache (a fault that must produce stale reads). */
  nearInvalidation?: boolean;
  /**
   * PostgreSQL read replicas: the run starts its own primary (initdb, on a free port; `postgresUrl`
   * is then unused) and a streaming replica of it replaying `applyDelayMs` behind, and both
   * gateways fill their cache from it (DATABASE_REPLICA_URLS) under REPLICA_LSN_CHECK=`lsnCheck`.
   */
  replica?: { applyDelayMs: number; lsnCheck: boolean };
  /** Run each gateway as an operating-system process (src/index.ts) instead of in this process. Default false. */
  processes?: boolean;
}

/** A gateway as the checker uses it, in this process or another. */
export interface CheckedGateway {
  url: string;
  /** The process serving it (the checker's own for an instance in this process). */
  pid: number;
  /** Fills its store refused because an invalidation had taken their lease, since it started. */
  rejectedWrites(): Promise<number>;
  /** Keys its near cache answered, since it started (0 without one). */
  nearHits(): Promise<number>;
  /** The gateway itself when it runs in this process (its replica fill counts are read from it). */
  inProcess?: Gateway;
}

export interface Environment {
  gateways: CheckedGateway[];
  /** `Authorization` header of an editor (both gateways share the secret). */
  editorHeaders: Record<string, string>;
  /** Key prefix of this run in Redis. */
  prefix: string;
  /** The run's own database. */
  databaseUrl: string;
  /** Short id of the run, in its SKUs. */
  run: string;
  /** With `replica`: the run's own primary and replica servers. */
  servers?: { primary: PostgresServer; replica: PostgresServer };
  /** Stops the gateways, drops the database and deletes the run's keys. */
  close(): Promise<void>;
}

/** Creates the database, starts two gateways on it and on one Redis prefix. */
export async function createEnvironment(options: EnvironmentOptions): Promise<Environment> {
  const run = randomBytes(4).toString("hex");
  const servers = options.replica ? await startReplicatedPostgres(options.replica.applyDelayMs) : undefined;
  const database = await createScratchDatabase(servers?.primary.url ?? options.postgresUrl, `cg_consistency_${run}`).catch((error: unknown) => {
    servers?.replica.destroy();
    servers?.primary.destroy();
    throw error;
  });
  const prefix = `cgcheck:${run}:`;
  const opened: Opened = { dbs: [], gateways: [], processes: [], stores: [], redis: [] };
  if (options.cluster && (options.partition || options.failover)) throw new Error("cluster runs take no partition or failover faults (yet)");
  // A process's near cache would need its own test setting (its invalidation off) and a wait for its tracking; replica fill counts are read in process.
  if (options.processes && (options.near || options.replica)) throw new Error("the near cache and read replicas are checked with gateways in the checker's process only (--processes off)");
  const close = async () => {
    clearTimeout(opened.flapping);
    opened.stopFailovers?.();
    opened.proxy?.heal();
    for (const gateway of opened.gateways) await gateway.stop();
    await Promise.all(opened.processes.map((gateway) => gateway.stop()));
    await opened.proxy?.close();
    for (const redis of opened.redis) await redis.dispose();
    await opened.cluster?.dispose();
    for (const store of opened.stores) await store.close();
    for (const db of opened.dbs) await db.close();
    await database.drop();
    if (!options.cluster) await deleteKeys(options.redisUrl, prefix);
    servers?.replica.destroy();
    servers?.primary.destroy();
  };
  try {
    const first = await createDatabase({ kind: "postgres", url: database.url, poolSize: options.poolSize });
    opened.dbs.push(first);
    await migrate(first.sql);
    const jwtSecret = randomBytes(24).toString("hex");
    if (options.partition) opened.proxy = await createTcpProxy(Number(new URL(options.redisUrl).port || 6379));
    if (options.failover) opened.proxy = await startReplicatedRedis(opened);
    if (options.cluster) opened.cluster = await ownRedisCluster({ masters: 3 });
    const instances = options.instances ?? 2;
    const target = (i: number): RedisTarget => {
      if (opened.cluster) return { clusterNodes: opened.cluster.nodes };
      return { url: opened.proxy && (i === 0 || options.failover) ? opened.proxy.url("redis") : options.redisUrl };
    };
    const settings = (i: number) => gatewaySettings(database.url, target(i), prefix, jwtSecret, options.handOff ?? true, Boolean(options.partition || options.failover), options.near ?? false, replicaSettings(options, servers, database.url));
    if (options.processes) {
      await startProcesses(opened, instances, (i) => ({ ...settings(i), ...processSettings(options) }));
    }
    for (let i = 0; i < (options.processes ? 0 : instances); i += 1) {
      const db = i === 0 ? first : await createDatabase({ kind: "postgres", url: database.url, poolSize: options.poolSize });
      if (i > 0) opened.dbs.push(db);
      const store = options.guard ? undefined : await unguardedStore(target(i));
      if (store) opened.stores.push(store);
      const config = loadConfig(settings(i));
      const faults = {
        fillDelayMs: options.fillDelayMs,
        skipInvalidation: !options.invalidation,
        skipFailoverReplay: options.skipFailoverReplay,
        skipNearInvalidation: options.nearInvalidation === false,
      };
      const gateway = await startGateway(config, { db, faults, ...(store ? { store } : {}) });
      opened.gateways.push(gateway);
      // The run starts once the near cache tracks writes (until then it holds nothing anyway).
      if (gateway.cache.near) await gateway.cache.near.ready();
    }
    if (opened.proxy && options.partition) flap(opened, opened.proxy, options.partition);
    if (opened.proxy && options.failover) opened.stopFailovers = failOverNowAndThen(opened, opened.proxy, options.failover);
    const token = await signToken(jwtSecret, "consistency-checker", ["editor"]);
    const gateways: CheckedGateway[] = options.processes ? opened.processes : opened.gateways.map(inProcess);
    return { gateways, editorHeaders: { authorization: `Bearer ${token}` }, prefix, databaseUrl: database.url, run, servers, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

interface Opened {
  dbs: Database[];
  gateways: Gateway[];
  processes: GatewayProcess[];
  stores: CacheStore[];
  redis: OwnRedis[];
  cluster?: OwnRedisCluster;
  proxy?: TcpProxy;
  flapping?: NodeJS.Timeout;
  stopFailovers?: () => void;
}

// A primary with a replica, behind a proxy the gateways connect to.
async function startReplicatedRedis(opened: Opened): Promise<TcpProxy> {
  const primary = await ownRedis();
  opened.redis.push(primary);
  await primary.start();
  await startReplicaOf(opened, primary);
  return createTcpProxy(primary.port);
}

async function startReplicaOf(opened: Opened, primary: OwnRedis): Promise<OwnRedis> {
  const replica = await ownRedis();
  opened.redis.push(replica);
  await replica.start();
  const client = new Redis(replica.url).on("error", () => undefined);
  try {
    await client.replicaof("127.0.0.1", primary.port);
    for (let i = 0; i < 400 && !/master_link_status:up/.test(await client.info("replication")); i += 1) await sleep(25);
  } finally {
    client.disconnect();
  }
  return replica;
}

// Every `everyMs`: the replica stops replicating, `lagMs` later the primary dies and the proxy
// moves to the replica, which gets a replica of its own. Returns a function that stops the cycle.
function failOverNowAndThen(opened: Opened, proxy: TcpProxy, { everyMs, lagMs }: { everyMs: number; lagMs: number }): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const [first, second] = opened.redis;
  let primary = first;
  let replica = second;
  const once = async () => {
    const client = new Redis(replica.url).on("error", () => undefined);
    await client.replicaof("NO", "ONE").finally(() => client.disconnect());
    await sleep(lagMs);
    await primary.kill();
    proxy.retarget(replica.port);
    primary = replica;
    if (!stopped) replica = await startReplicaOf(opened, primary);
  };
  const schedule = () => {
    timer = setTimeout(() => void once().then(() => !stopped && schedule(), () => undefined), everyMs);
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

// Cuts and heals the proxy until the run closes.
function flap(opened: { flapping?: NodeJS.Timeout }, proxy: TcpProxy, { cutMs, healMs }: { cutMs: number; healMs: number }): void {
  const cycle = (cut: boolean) => {
    if (cut) proxy.cut();
    else proxy.heal();
    opened.flapping = setTimeout(() => cycle(!cut), cut ? cutMs : healMs);
  };
  opened.flapping = setTimeout(() => cycle(true), healMs);
}

// A gateway in this process, its counters read directly.
function inProcess(gateway: Gateway): CheckedGateway {
  return {
    url: gateway.url,
    pid: process.pid,
    rejectedWrites: async () => Object.values(gateway.cache.stats.snapshot()).reduce((sum, row) => sum + row.rejectedWrite, 0),
    nearHits: async () => gateway.cache.near?.cache.counters.hits ?? 0,
    inProcess: gateway,
  };
}

// Starts the gateway processes side by side (each takes seconds to load); every one started is in
// `opened` before a failure is thrown, so the run's close stops it.
async function startProcesses(opened: Opened, instances: number, settings: (i: number) => Record<string, string>): Promise<void> {
  const started = await Promise.allSettled(Array.from({ length: instances }, (_, i) => startGatewayProcess(settings(i))));
  for (const result of started) if (result.status === "fulfilled") opened.processes.push(result.value);
  const failed = started.find((result) => result.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

// The faults of a gateway process, as its CACHE_TEST_* settings (NODE_ENV=test: refused in production).
// Without a partition or failover (which set their own short timeouts), Redis commands may take 1 s
// instead of 250 ms: three processes on a loaded machine are starved of CPU now and then, and a
// timed-out invalidation fails its write (correctly, but the check is about stale reads).
function processSettings(options: EnvironmentOptions): Record<string, string> {
  return {
    ...(options.partition || options.failover ? {} : { REDIS_COMMAND_TIMEOUT_MS: "1000" }),
    CACHE_TEST_FILL_DELAY_MS: String(options.fillDelayMs),
    CACHE_TEST_UNGUARDED_FILLS: String(!options.guard),
    CACHE_TEST_SKIP_INVALIDATION: String(!options.invalidation),
    CACHE_TEST_SKIP_FAILOVER_REPLAY: String(options.skipFailoverReplay ?? false),
    DATABASE_POOL_SIZE: String(options.poolSize),
    LOG_LEVEL: "warn",
  };
}

// A gateway as deployed against PostgreSQL and Redis, minus what the check does not exercise
// (migrations run once above, no seed, no vector index, no warming). Under a partition, Redis
// timeouts and the circuit's cool-down are short so that the faults come and go within the run.
// Its environment variables: loaded in this process, or handed to a gateway process.
function gatewaySettings(databaseUrl: string, redis: RedisTarget, prefix: string, jwtSecret: string, handOff: boolean, partition: boolean, near: boolean, replicas: Record<string, string> = {}): Record<string, string> {
  return {
    ...replicas,
    NEAR_CACHE: near ? "on" : "off",
    OUTBOX_HANDOFF: String(handOff),
    ...(partition ? { REDIS_COMMAND_TIMEOUT_MS: "100", CACHE_CIRCUIT_COOL_DOWN_MS: "300", OUTBOX_LISTENER_HEARTBEAT_MS: "250" } : {}),
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: "false",
    CACHE_STORE: "redis",
    ...(redis.url ? { REDIS_URL: redis.url } : { REDIS_CLUSTER_NODES: redis.clusterNodes!.map(({ host, port }) => `${host}:${port}`).join(",") }),
    CACHE_PREFIX: prefix,
    JWT_SECRET: jwtSecret,
    VECTOR_INDEX: "none",
    VECTOR_SYNC_ON_START: "false",
    LOG_LEVEL: "silent",
  };
}

/** One Redis or a cluster's seed nodes. */
interface RedisTarget {
  url?: string;
  clusterNodes?: ClusterNode[];
}

// The production store (Redis behind the circuit breaker) with the lease check switched off, once
// connected (a cluster takes a moment to map its slots; until then every call would fail).
async function unguardedStore(target: RedisTarget): Promise<CacheStore> {
  const connection = createRedisConnection(target);
  await waitForReady(connection, 10_000);
  return createResilientStore(createRedisStore(connection, { guardWrites: false }));
}

// A primary of the run's own and a streaming replica of it, `applyDelayMs` behind.
async function startReplicatedPostgres(applyDelayMs: number): Promise<{ primary: PostgresServer; replica: PostgresServer }> {
  const primary = await createPostgresServer();
  try {
    return { primary, replica: await createReplicaServer(primary, { applyDelayMs }) };
  } catch (error) {
    primary.destroy();
    throw error;
  }
}

// The gateways' replica settings: the scratch database on the replica (it arrives there by replication).
function replicaSettings(options: EnvironmentOptions, servers: Environment["servers"], databaseUrl: string): Record<string, string> {
  if (!options.replica || !servers) return {};
  const url = new URL(databaseUrl);
  url.port = String(servers.replica.port);
  return { DATABASE_REPLICA_URLS: url.toString(), REPLICA_LSN_CHECK: options.replica.lsnCheck ? "on" : "off" };
}

interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

async function createScratchDatabase(serverUrl: string, name: string): Promise<ScratchDatabase> {
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

// Cleanup after the run, never on a request path: SCAN only the run's own prefix.
async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
