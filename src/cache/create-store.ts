import type { Logger } from "../logger";
import { createMemoryStore } from "./memory-store";
import { withNearEviction, type NearCache } from "./near-cache";
import type { Redis } from "ioredis";
import { createRedisConnection, type ClusterNode, type RedisConnection } from "./redis-client";
import { isCluster, mastersOf } from "./redis-routing";
import { createRedisStore } from "./redis-store";
import { createResilientStore, type ResilientStore } from "./resilient-store";
import type { CacheStore } from "./store";

/** What `createCacheStore` reads of the configuration (CACHE_STORE, REDIS_*, CACHE_MEMORY_MAX_ENTRIES, CACHE_CIRCUIT_*). */
export interface CacheStoreConfig {
  store: "redis" | "memory" | "none";
  /** One Redis; or `redisClusterNodes`, a Redis Cluster. */
  redisUrl?: string;
  redisClusterNodes?: ClusterNode[];
  memoryMaxEntries: number;
  redisCommandTimeoutMs: number;
  circuit: { callTimeoutMs: number; failureThreshold: number; coolDownMs: number };
  /** Check each fill's lease before storing it. Default true; false is a fault for tests only (CACHE_TEST_UNGUARDED_FILLS). */
  guardWrites?: boolean;
}

/** What the store tells the recovery hook: whether the Redis it reached again is another server than before. */
export interface Recovery {
  /**
   * The server's run id changed since the last connection (a failover promoted a replica, or Redis
   * restarted): invalidations applied just before may be missing there (replication is asynchronous).
   * On a cluster: some master's run id is one not seen before (per node, the same question).
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
 *
 * Redis Cluster: the same per master. Whenever a node's connection closes, or the slot map changes
 * masters, the store is fenced until every master's run id has been read; a run id not seen before
 * (a replica promoted by a failover, a restarted master) makes `onRecover` apply the recent
 * invalidations again, on every node (the replay is idempotent, and a footprint spans slots).
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
      return createMemoryStore({ maxEntries: config.memoryMaxEntries, guardWrites: config.guardWrites });
    case "redis": {
      const client = createRedisConnection({
        url: config.redisClusterNodes ? undefined : config.redisUrl!,
        clusterNodes: config.redisClusterNodes,
        commandTimeoutMs: config.redisCommandTimeoutMs,
        // No auto-pipelining (one socket write per tick for concurrent requests' commands): it saved
        // CPU per hit in a profile, but throughput fell with it on one Redis (bench, 20,000
        // products, alternating runs at load 2: page hits 3,556/4,114 req/s on against 5,299/6,763
        // off), and on a cluster it left the store failing every command under load (cells fell
        // to the database): ioredis groups a tick's commands by the slot of their first argument,
        // which for a script (EVALSHA) is its key count, and refuses a pipeline whose commands
        // span masters (test/integration/redis-cluster-load.test.ts fails with it on). A call
        // that must go in one write (mgetInOrder, a write's invalidation) is one pipeline or one
        // script anyway.
        autoPipelining: false,
        onError: (error) => logger.debug({ err: error }, "redis connection error"),
      });
      const redisStore = createRedisStore(client, { guardWrites: config.guardWrites });
      const direct = hooks.near ? withNearEviction(redisStore, hooks.near) : redisStore;
      // Run ids of the masters seen so far (one Redis: its own).
      const knownServers = new Set<string>();
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
      const fence = () => {
        if (knownServers.size > 0) store.fence("connection", "a connection to Redis closed; the servers are checked when it is back");
      };
      // One check at a time; one asked for meanwhile runs after it (the first may have started too early).
      let checking = false;
      let again = false;
      const check = (): void => {
        if (checking) return void (again = true);
        checking = true;
        serverRunIds(client)
          .then(
            (runIds) => {
              const fresh = runIds.filter((runId) => !knownServers.has(runId));
              if (knownServers.size > 0 && fresh.length > 0) {
                serverChanged = true;
                logger.warn({ was: [...knownServers], now: runIds }, "Redis is another server than before (failover or restart): recent invalidations are applied again");
              }
              for (const runId of runIds) knownServers.add(runId);
              store.fence("connection", null);
            },
            // Stays fenced; the next "ready" (or slot map refresh) tries again.
            (error) => logger.warn({ err: error }, "could not read the Redis servers run ids"),
          )
          .finally(() => {
            checking = false;
            if (again) {
              again = false;
              check();
            }
          });
      };
      client.on("close", fence);
      client.on("ready", check);
      if (isCluster(client)) {
        // A node lost (a master died, its replica is promoted), or the slot map moved masters:
        // fenced until every master's run id is known again.
        // The master of each slot at the last check. Compared in place on every refresh (one a second):
        // joining 16,384 addresses into a string each time cost the hit path about as much as ioredis' own refresh.
        // "" (no address) until the first refresh, so that one always checks.
        const masters: (string | undefined)[] = new Array<string | undefined>(16384).fill("");
        client.on("-node", () => {
          if (client.status !== "ready") return; // the client replacing its seed nodes while it connects
          fence();
          client.refreshSlotsCache();
        });
        client.on("refresh", () => {
          // Not before "ready": commands to the seed nodes while the client replaces them break its connect.
          if (client.status !== "ready") return;
          const moved = copyMasters(client.slots, masters);
          if (!moved && store.fencedBy === null && knownServers.size > 0) return;
          if (masters.includes(undefined)) return fence(); // some slot has no master yet
          check();
        });
      }
      return store;
    }
    default: {
      const never: never = config.store;
      throw new Error(`Unknown cache store ${String(never)}`);
    }
  }
}

// Copies each slot's master from `slots` (ioredis' slot map) into `into`; true when one differed.
function copyMasters(slots: readonly (readonly string[] | undefined)[], into: (string | undefined)[]): boolean {
  let moved = false;
  for (let slot = 0; slot < into.length; slot += 1) {
    const master = slots[slot]?.[0] || undefined;
    if (master !== into[slot]) {
      into[slot] = master;
      moved = true;
    }
  }
  return moved;
}

// The run id of every master (one Redis: its own); throws unless every one answers.
async function serverRunIds(client: RedisConnection): Promise<string[]> {
  const masters = mastersOf(client);
  if (masters.length === 0) throw new Error("no Redis master is connected");
  return Promise.all(masters.map(serverRunId));
}

async function serverRunId(client: Redis): Promise<string> {
  const info = await client.info("server");
  const match = /^run_id:(\w+)/m.exec(info);
  if (!match) throw new Error("INFO server has no run_id");
  return match[1];
}
