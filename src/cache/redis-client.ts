import { Cluster, Redis } from "ioredis";

/**
 * The one module that creates Redis connections for the whole gateway (the cache store, rate
 * limits; anything else that comes to use Redis must connect through here), so every connection
 * fails fast the same way, to one Redis (`REDIS_URL`) or to a Redis Cluster (`REDIS_CLUSTER_NODES`). A Redis that is down or slow
 * must cost a request milliseconds, never a hang: commands are not queued while disconnected, a
 * command that does not answer in `commandTimeoutMs` fails, and nothing is ever re-sent later
 * (a re-sent write-through could land after a newer one and leave a stale value).
 */

export interface RedisClientOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. Required. */
  url: string;
  /** A command without a reply after this many milliseconds fails with "Command timed out". Default 250. */
  commandTimeoutMs?: number;
  /** A connection attempt that is not established after this many milliseconds is dropped and retried. Default 2000. */
  connectTimeoutMs?: number;
  /** First reconnection delay in milliseconds; it doubles on each failed attempt. Default 50. */
  retryBaseDelayMs?: number;
  /** Largest reconnection delay in milliseconds; attempts never stop. Default 2000. */
  maxRetryDelayMs?: number;
  /** Queue commands while disconnected and send them on reconnect. Default false (fail fast); a pub/sub subscriber may want true. */
  enableOfflineQueue?: boolean;
  /** RESP version. Default 2: replies have one shape, and the cache needs nothing from RESP3. */
  protocol?: 2 | 3;
  /** Send the commands issued in one event-loop tick as one write (ioredis auto-pipelining): fewer syscalls under concurrency. Default false. */
  autoPipelining?: boolean;
  /**
   * Subscribe again, by itself, to the channels it was subscribed to when the connection dropped.
   * Default true (ioredis's); false when the owner re-establishes state in order on "ready" (the
   * near cache's tracking connection turns tracking on before it subscribes).
   */
  autoResubscribe?: boolean;
  /** CLIENT SETNAME of the connection, seen in CLIENT LIST. Default "catalog-gateway". */
  connectionName?: string;
  /** Receives connection errors (refused, reset, timed out), for the log. Default: ignored; the resilient store counts failures. */
  onError?: (error: Error) => void;
}

/** A connection to one Redis or to a Redis Cluster (what `createRedisConnection` returns). */
export type RedisConnection = Redis | Cluster;

/** One seed node of a Redis Cluster. */
export interface ClusterNode {
  host: string;
  port: number;
}

/**
 * Where `createRedisConnection` connects: `url` (one Redis) or `clusterNodes` (seed nodes of a
 * Redis Cluster; the client discovers the others, follows MOVED/ASK and failovers itself).
 * Exactly one of the two.
 */
export interface RedisConnectionOptions extends Omit<RedisClientOptions, "url"> {
  url?: string;
  clusterNodes?: ClusterNode[];
  /** Cluster only: how often the slot map is read again, so a failover or a resharding is noticed without a failed command first, ms. Default 1000. */
  slotsRefreshIntervalMs?: number;
}

/** Defaults of `RedisClientOptions`. */
export const defaultRedisClientOptions = {
  commandTimeoutMs: 250,
  connectTimeoutMs: 2000,
  retryBaseDelayMs: 50,
  maxRetryDelayMs: 2000,
  enableOfflineQueue: false,
  autoPipelining: false,
  protocol: 2,
  autoResubscribe: true,
  connectionName: "catalog-gateway",
} as const satisfies Partial<RedisClientOptions>;

/**
 * A Redis connection that starts connecting in the background and never throws for being
 * unreachable: the gateway starts while Redis is down, commands fail at once until it is up,
 * and reconnection (exponential backoff with jitter, capped) continues forever.
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  const o = { ...defaultRedisClientOptions, ...definedOnly(options) };
  const client = new Redis(o.url, {
    lazyConnect: true,
    commandTimeout: o.commandTimeoutMs,
    connectTimeout: o.connectTimeoutMs,
    enableOfflineQueue: o.enableOfflineQueue,
    enableAutoPipelining: o.autoPipelining,
    // 0: commands in flight when the connection drops fail at once instead of waiting for reconnects.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => backoffMs(attempt, o.retryBaseDelayMs, o.maxRetryDelayMs),
    protocol: o.protocol,
    autoResubscribe: o.autoResubscribe,
    connectionName: o.connectionName,
  });
  // Without a listener ioredis prints every connection error; the caller decides what to log.
  client.on("error", (error: Error) => o.onError?.(error));
  // The first attempt's failure is reported through "error"; retryStrategy keeps trying.
  client.connect().catch(() => undefined);
  return client;
}

/**
 * One Redis or a Redis Cluster, with the same fail-fast behaviour (see `createRedisClient`): on a
 * cluster, a command in flight on a node whose connection drops fails (`retryDelayOnFailover: 0`,
 * it may have run, so it is never re-sent), a cluster that is down fails at once
 * (`retryDelayOnClusterDown: 0`), and commands are not queued while the cluster is not ready.
 * MOVED and ASK (not run) are followed by the client.
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { clusterNodes, url, slotsRefreshIntervalMs, ...rest } = options;
  if ((clusterNodes === undefined) === (url === undefined)) throw new TypeError("createRedisConnection needs exactly one of url and clusterNodes");
  if (url !== undefined) return createRedisClient({ ...rest, url });
  const o = { ...defaultRedisClientOptions, ...definedOnly(rest) };
  const cluster = new Cluster(clusterNodes!, {
    lazyConnect: true,
    enableOfflineQueue: o.enableOfflineQueue,
    enableAutoPipelining: o.autoPipelining,
    clusterRetryStrategy: (attempt) => backoffMs(attempt, o.retryBaseDelayMs, o.maxRetryDelayMs),
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    slotsRefreshInterval: slotsRefreshIntervalMs ?? 1000,
    slotsRefreshTimeout: o.connectTimeoutMs,
    redisOptions: {
      commandTimeout: o.commandTimeoutMs,
      connectTimeout: o.connectTimeoutMs,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      protocol: o.protocol,
      connectionName: o.connectionName,
    },
  });
  cluster.on("error", (error: Error) => o.onError?.(error));
  cluster.on("node error", (error: Error) => o.onError?.(error));
  cluster.connect().catch(() => undefined);
  return cluster;
}

/** `host:port,host:port` as cluster nodes; throws a RangeError naming the entry that is not one. */
export function parseClusterNodes(text: string): ClusterNode[] {
  const entries = text.split(",").map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new RangeError("a Redis Cluster needs at least one host:port");
  return entries.map((entry) => {
    const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) throw new RangeError(`${JSON.stringify(entry)} is not host:port`);
    return { host: match[1].replace(/^\[|\]$/g, ""), port };
  });
}

/** Resolves true once `client` is ready, false after `timeoutMs` milliseconds (default 5000), for start-up and tests. */
export function waitForReady(client: RedisConnection, timeoutMs = 5000): Promise<boolean> {
  if (client.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const onReady = () => done(true);
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off("ready", onReady);
      resolve(ready);
    };
    client.on("ready", onReady);
  });
}

// Equal jitter (half fixed, half random), so instances that lost Redis together do not reconnect in lockstep.
function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(1, Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
