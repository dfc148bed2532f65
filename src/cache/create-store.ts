import type { Logger } from "../logger";
import { createMemoryStore } from "./memory-store";
import { withNearEviction, type NearCache } from "./near-cache";
import type { Redis } from "ioredis";
import { createRedisClient } from "./redis-client";
import { createRedisStore } from "./redis-store";
import { createResilientStore, type ResilientStore } from "./resilient-store";
import type { CacheStore } from "./store";

/** What `createCacheStore` reads of the configuration (CACHE_STORE, REDIS_*, CACHE_MEMORY_MAX_ENTRIES, CACHE_CIRCUIT_*). */
export interface CacheStoreConfig {
  store: "redis" | "memory" | "none";
  redisUrl?: string;
  memoryMaxEntries: number;
  redisCommandTimeoutMs: number;
  circuit: { callTimeoutMs: number; failureThreshold: number; coolDownMs: number };
}

/** What the store tells the recovery hook: whether the Redis it reached again is another server than before. */
export interface Recovery {
  /**
   * The server's run id changed since the last connection (a failover promoted a replica, or Redis
   * restarted): invalidations applied just before may be missing there (replication is asynchronous).
   */
  serverChanged: boolean;
}

/**
 * The configured store: Redis behind a circuit breaker (so a Redis that is down costs requests
 * nothing but a database read), the bounded in-process store, or none.
 *
 * Redis: whenever the connection closes, reads stop (the store is fenced) until the client is
 * connected again and has read the server's run id; then the circuit's probe runs `onRecover`
 * (told whether the server changed) before any read trusts the cache again.
 */
export function createCacheStore(
  config: CacheStoreConfig,
  logger: Logger,
  hooks: {
    onRecover?: (direct: CacheStore, recovery: Recovery) => Promise<unknown>;
    /** The near cache above this store (Redis only): every write through the store, replays included, also drops what it changes from it. */
    near?: NearCache;
  } = {},
): ResilientStore | CacheStore | null {
  switch (config.store) {
    case "none":
      return null;
    case "memory":
      return createMemoryStore({ maxEntries: config.memoryMaxEntries });
    case "redis": {
      const client = createRedisClient({
        url: config.redisUrl!,
        commandTimeoutMs: config.redisCommandTimeoutMs,
        onError: (error) => logger.debug({ err: error }, "redis connection error"),
      });
      const redisStore = createRedisStore(client);
      const direct = hooks.near ? withNearEviction(redisStore, hooks.near) : redisStore;
      let knownServer: string | null = null;
      let serverChanged = false;
      const store = createResilientStore(direct, {
        ...config.circuit,
        onStateChange: (state) => {
          logger.warn({ state }, "cache circuit changed state");
          // Invalidations may now miss Redis (kept in the outbox) and a read in flight may be answered
          // with a miss that is not one: nothing near is trusted, no fill sent before is kept.
          if (state !== "closed") hooks.near?.flush();
        },
        // Pending invalidations are applied before the circuit closes, so no stale entry is read.
        // They go to Redis directly: the wrapper refuses calls until the circuit has closed.
        onRecover: async () => {
          await hooks.onRecover?.(direct, { serverChanged });
          serverChanged = false;
        },
      });
      client.on("close", () => {
        if (knownServer !== null) store.fence("connection", "the connection to Redis closed; the server is checked when it is back");
      });
      client.on("ready", () => {
        serverRunId(client).then(
          (runId) => {
            if (knownServer !== null && runId !== knownServer) {
              serverChanged = true;
              logger.warn({ was: knownServer, now: runId }, "Redis is another server than before (failover or restart): recent invalidations are applied again");
            }
            knownServer = runId;
            store.fence("connection", null);
          },
          // Stays fenced; the next "ready" tries again.
          (error) => logger.warn({ err: error }, "could not read the Redis server's run id"),
        );
      });
      return store;
    }
    default: {
      const never: never = config.store;
      throw new Error(`Unknown cache store ${String(never)}`);
    }
  }
}

async function serverRunId(client: Redis): Promise<string> {
  const info = await client.info("server");
  const match = /^run_id:(\w+)/m.exec(info);
  if (!match) throw new Error("INFO server has no run_id");
  return match[1];
}
