import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { Client } from "pg";
import { signToken } from "../../src/auth";
import { createRedisClient } from "../../src/cache/redis-client";
import { createRedisStore } from "../../src/cache/redis-store";
import { createResilientStore } from "../../src/cache/resilient-store";
import type { CacheStore } from "../../src/cache/store";
import { loadConfig } from "../../src/config";
import { createDatabase, type Database } from "../../src/data/database";
import { migrate } from "../../src/data/migrator";
import { startGateway, type Gateway } from "../../src/server";
import { createTcpProxy, type TcpProxy } from "./tcp-proxy";

/**
 * The checker's world: a PostgreSQL database of its own, a key prefix of its own in a shared
 * Redis, and two gateway instances over both, each with its own connections, DataLoaders and
 * single-flight state, exactly as two processes behind a load balancer would have.
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
}

export interface Environment {
  gateways: Gateway[];
  /** `Authorization` header of an editor (both gateways share the secret). */
  editorHeaders: Record<string, string>;
  /** Key prefix of this run in Redis. */
  prefix: string;
  /** The run's own database. */
  databaseUrl: string;
  /** Short id of the run, in its SKUs. */
  run: string;
  /** Stops the gateways, drops the database and deletes the run's keys. */
  close(): Promise<void>;
}

/** Creates the database, starts two gateways on it and on one Redis prefix. */
export async function createEnvironment(options: EnvironmentOptions): Promise<Environment> {
  const run = randomBytes(4).toString("hex");
  const database = await createScratchDatabase(options.postgresUrl, `cg_consistency_${run}`);
  const prefix = `cgcheck:${run}:`;
  const opened: { dbs: Database[]; gateways: Gateway[]; stores: CacheStore[]; proxy?: TcpProxy; flapping?: NodeJS.Timeout } = { dbs: [], gateways: [], stores: [] };
  const close = async () => {
    clearTimeout(opened.flapping);
    opened.proxy?.heal();
    for (const gateway of opened.gateways) await gateway.stop();
    await opened.proxy?.close();
    for (const store of opened.stores) await store.close();
    for (const db of opened.dbs) await db.close();
    await database.drop();
    await deleteKeys(options.redisUrl, prefix);
  };
  try {
    const first = await createDatabase({ kind: "postgres", url: database.url, poolSize: options.poolSize });
    opened.dbs.push(first);
    await migrate(first.sql);
    const jwtSecret = randomBytes(24).toString("hex");
    if (options.partition) opened.proxy = await createTcpProxy(Number(new URL(options.redisUrl).port || 6379));
    for (let i = 0; i < 2; i += 1) {
      const db = i === 0 ? first : await createDatabase({ kind: "postgres", url: database.url, poolSize: options.poolSize });
      if (i > 0) opened.dbs.push(db);
      const redisUrl = i === 0 && opened.proxy ? opened.proxy.url("redis") : options.redisUrl;
      const store = options.guard ? undefined : unguardedStore(redisUrl);
      if (store) opened.stores.push(store);
      const config = gatewayConfig(database.url, redisUrl, prefix, jwtSecret, options.handOff ?? true, Boolean(options.partition));
      const faults = { fillDelayMs: options.fillDelayMs, skipInvalidation: !options.invalidation };
      opened.gateways.push(await startGateway(config, { db, faults, ...(store ? { store } : {}) }));
    }
    if (opened.proxy && options.partition) flap(opened, opened.proxy, options.partition);
    const token = await signToken(jwtSecret, "consistency-checker", ["editor"]);
    return { gateways: opened.gateways, editorHeaders: { authorization: `Bearer ${token}` }, prefix, databaseUrl: database.url, run, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
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

// A gateway as deployed against PostgreSQL and Redis, minus what the check does not exercise
// (migrations run once above, no seed, no vector index, no warming). Under a partition, Redis
// timeouts and the circuit's cool-down are short so that the faults come and go within the run.
function gatewayConfig(databaseUrl: string, redisUrl: string, prefix: string, jwtSecret: string, handOff: boolean, partition: boolean) {
  return loadConfig({
    OUTBOX_HANDOFF: String(handOff),
    ...(partition ? { REDIS_COMMAND_TIMEOUT_MS: "100", CACHE_CIRCUIT_COOL_DOWN_MS: "300", OUTBOX_LISTENER_HEARTBEAT_MS: "250" } : {}),
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: "false",
    CACHE_STORE: "redis",
    REDIS_URL: redisUrl,
    CACHE_PREFIX: prefix,
    JWT_SECRET: jwtSecret,
    VECTOR_INDEX: "none",
    VECTOR_SYNC_ON_START: "false",
    LOG_LEVEL: "silent",
  });
}

// The production store (Redis behind the circuit breaker) with the lease check switched off.
function unguardedStore(redisUrl: string): CacheStore {
  return createResilientStore(createRedisStore(createRedisClient({ url: redisUrl }), { guardWrites: false }));
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
