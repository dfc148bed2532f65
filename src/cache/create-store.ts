import type { Logger } from "../logger";
import { createMemoryStore } from "./memory-store";
import { createRedisClient } from "./redis-client";
import { createRedisStore } from "./redis-store";
import { createResilientStore } from "./resilient-store";
import type { CacheStore } from "./store";

/** What `createCacheStore` reads of the configuration (CACHE_STORE, REDIS_*, CACHE_MEMORY_MAX_ENTRIES, CACHE_CIRCUIT_*). */
export interface CacheStoreConfig {
  store: "redis" | "memory" | "none";
  redisUrl?: string;
  memoryMaxEntries: number;
  redisCommandTimeoutMs: number;
  circuit: { callTimeoutMs: number; failureThreshold: number; coolDownMs: number };
}

/**
 * The configured store: Redis behind a circuit breaker (so a Redis that is down costs requests
 * nothing but a database read), the bounded in-process store, or none.
 */
export function createCacheStore(
  config: CacheStoreConfig,
  logger: Logger,
  hooks: { onRecover?: (direct: CacheStore) => Promise<unknown> } = {},
): CacheStore | null {
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
      const direct = createRedisStore(client);
      return createResilientStore(direct, {
        ...config.circuit,
        onStateChange: (state) => logger.warn({ state }, "cache circuit changed state"),
        // Pending invalidations are applied before the circuit closes, so no stale entry is read.
        // They go to Redis directly: the wrapper refuses calls until the circuit has closed.
        onRecover: async () => void (await hooks.onRecover?.(direct)),
      });
    }
    default: {
      const never: never = config.store;
      throw new Error(`Unknown cache store ${String(never)}`);
    }
  }
}
