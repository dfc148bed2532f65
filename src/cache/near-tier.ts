import type { Redis } from "ioredis";
import type { Logger } from "../logger";
import { createNearCache, type NearCache, type NearEntry } from "./near-cache";
import { createRedisClient } from "./redis-client";
import { isLeaseKey } from "./store";

/**
 * The near cache (issue #12 item 3): this process's hottest store values held in memory, kept
 * coherent with Redis by Redis's server-assisted client-side caching, so that, as for Redis itself,
 * once a write has returned no instance serves a value it retired (DESIGN.md promise 2).
 *
 * Invalidations: one connection of its own (RESP2, through redis-client.ts) turns on
 * `CLIENT TRACKING on REDIRECT <its own id> BCAST PREFIX <each read-path family>` and subscribes to
 * `__redis__:invalidate`: Redis then reports every key written under those prefixes, by anyone,
 * to it. (ioredis 6 drops RESP3 `invalidate` pushes, so the RESP2 form is the one it delivers.)
 * Redis queues those messages (in BCAST mode, before it sleeps, in the event-loop turn of the
 * write) before it could read any later command of that connection, and the writer's reply
 * leaves in that same turn: so a PING sent on the tracking connection after a write returned is
 * answered after the write's message, which ioredis hands over synchronously as it parses, before
 * the PING's promise settles.
 *
 * Hence the barrier: a request reads near values only after one PING sent after it started has
 * come back. The requests of one event-loop turn share one PING, sent at the end of that turn;
 * every turn with requests sends its own, without waiting for the one before to come back (they
 * are answered in order). So a request costs one small round trip from its turn, however many
 * loader levels it has, and none of the entries' bytes; with one PING in flight at a time, the
 * requests of a turn that began while one was on the wire waited for it and then for the next. With `barrier: false` a near read
 * costs no round trip at all, but may serve a value retired by a write that returned less than
 * one network delay before (the message still on its way): a setting for measurements, not the
 * default.
 *
 * Connection loss: everything held is dropped at "close", and nothing is kept again until tracking
 * is on and subscribed after "ready" (Redis keeps no tracking state for a closed connection).
 * A barrier that fails (timeout, closed) also drops everything; the request then reads Redis.
 */

export interface NearTierOptions {
  /** Redis URL, as the store's. Required. */
  url: string;
  /** A PING (the barrier) or set-up command without a reply after this many ms fails. Required. */
  commandTimeoutMs: number;
  /** Key prefixes whose writes Redis reports (CacheKeys.trackingPrefixes); they must not overlap. Required. */
  prefixes: readonly string[];
  /** Memory bound of what is held, bytes (NEAR_CACHE_MAX_BYTES). Required. */
  maxBytes: number;
  /** Longest a value is held without a new read, ms (NEAR_CACHE_MAX_AGE_SECONDS). Default 60000. */
  maxAgeMs?: number;
  /** Wait for the barrier before a request's first near read (NEAR_CACHE_BARRIER). Default true. */
  barrier?: boolean;
  /**
   * Fault injection (tests only, never set in production): Redis's invalidation messages and this
   * process's own evictions are ignored, so a test can show the stale reads the tracking prevents.
   */
  ignoreInvalidations?: boolean;
}

/** Redis's channel of invalidation messages for RESP2 clients. */
const invalidationChannel = "__redis__:invalidate";

/** What a request sees of the near tier (src/cache/lease-read.ts uses it). */
export interface NearSession {
  /**
   * The entries held for `keys` (undefined where none), or null when this request may not read
   * near values now: the tier is not tracking, the store's circuit is not closed, or the barrier
   * failed. Waits for the barrier on the request's first call.
   */
  lookup(keys: readonly string[]): Promise<(NearEntry | undefined)[] | null>;
  /** Taken just before a store read whose answers may be kept (NearCache.ticket). */
  ticket(): number;
  /** Keeps what the store answered for `keys` under `ticket` (an entry's text, a counter's value or null). */
  keep(ticket: number, keys: readonly string[], texts: readonly (string | null)[]): void;
}

/** Barrier PINGs: sent, and failed (timed out or connection closed). */
export interface BarrierCounters {
  sent: number;
  failed: number;
}

export interface NearTier {
  readonly cache: NearCache;
  readonly barriers: Readonly<BarrierCounters>;
  /** Whether requests wait for the barrier (NEAR_CACHE_BARRIER). */
  readonly strict: boolean;
  /** The memory bound, bytes. */
  readonly maxBytes: number;
  /** One request's view; `usable` answers whether the store may be read at all (its circuit is closed). */
  session(usable: () => boolean): NearSession;
  /** Resolves true once tracking is on, false after `timeoutMs` (default 5000): start-up and tests. */
  ready(timeoutMs?: number): Promise<boolean>;
  /** CLIENT ID of the tracking connection now (tests kill it), null while it is not tracking. */
  readonly trackingClientId: number | null;
  close(): Promise<void>;
}

/** The tier, its tracking connection connecting in the background (nothing is held until it tracks). */
export function createNearTier(options: NearTierOptions, logger: Logger): NearTier {
  const cache = createNearCache({ maxBytes: options.maxBytes, maxAgeMs: options.maxAgeMs, ignoreInvalidations: options.ignoreInvalidations });
  const strict = options.barrier ?? true;
  const barriers: BarrierCounters = { sent: 0, failed: 0 };
  let trackingClientId: number | null = null;
  const client = createRedisClient({
    url: options.url,
    commandTimeoutMs: options.commandTimeoutMs,
    connectionName: "catalog-gateway-near",
    autoResubscribe: false,
    onError: (error) => logger.debug({ err: error }, "redis connection error (near cache tracking)"),
  });

  client.on("close", () => {
    trackingClientId = null;
    cache.accepting = false;
  });
  client.on("ready", () => {
    startTracking(client, options.prefixes).then(
      (id) => {
        trackingClientId = id;
        cache.accepting = true;
      },
      (error) => logger.warn({ err: error }, "near cache: Redis tracking could not be turned on; the near cache stays empty"),
    );
  });
  client.on("messageBuffer", (channel: Buffer, payload: Buffer[] | null) => {
    if (channel.toString() !== invalidationChannel) return;
    // A null payload: the database was flushed (FLUSHDB, FLUSHALL).
    if (payload === null) return cache.flush();
    // Every miss and fill writes a lease key under the same prefixes; none is ever held.
    const keys = payload.map(String).filter((key) => !isLeaseKey(key));
    if (keys.length > 0) cache.invalidate(keys);
  });

  const barrier = createBarrier(() => {
    barriers.sent += 1;
    return client.ping().then(
      () => true,
      () => {
        barriers.failed += 1;
        // Whether the message of some write is lost or late is not known: trust nothing held.
        cache.flush();
        return false;
      },
    );
  });

  return {
    cache,
    barriers,
    strict,
    maxBytes: options.maxBytes,
    get trackingClientId() {
      return trackingClientId;
    },
    session(usable) {
      let passed: Promise<boolean> | null = null;
      const open = () => cache.accepting && usable();
      return {
        async lookup(keys) {
          if (!open()) return null;
          passed ??= strict ? barrier() : Promise.resolve(true);
          if (!(await passed) || !open()) return null;
          return keys.map((key) => cache.get(key));
        },
        ticket: () => (usable() ? cache.ticket() : -1),
        keep(ticket, keys, texts) {
          // The store's circuit opened since the ticket (create-store.ts also flushes): its answer may be a stand-in.
          if (ticket < 0 || !usable()) return;
          keys.forEach((key, i) => cache.keep(ticket, key, texts[i]));
        },
      };
    },
    ready(timeoutMs = 5000) {
      if (cache.accepting) return Promise.resolve(true);
      return new Promise((resolve) => {
        const started = Date.now();
        const poll = setInterval(() => {
          if (!cache.accepting && Date.now() - started < timeoutMs) return;
          clearInterval(poll);
          resolve(cache.accepting);
        }, 5);
      });
    },
    async close() {
      cache.accepting = false;
      client.disconnect();
    },
  };
}

// Tracking first, then the subscription: a RESP2 connection in subscriber mode takes no CLIENT command.
async function startTracking(client: Redis, prefixes: readonly string[]): Promise<number> {
  const id = Number(await client.client("ID"));
  await client.call("CLIENT", "TRACKING", "on", "REDIRECT", String(id), "BCAST", ...prefixes.flatMap((prefix) => ["PREFIX", prefix]));
  await client.subscribe(invalidationChannel);
  return id;
}

/**
 * `ping` coalesced: a caller gets a PING sent after it called. At most one is in flight; callers
 * arriving while it is share the one sent when it comes back.
 */
// One PING for the callers of an event-loop turn, sent once the turn's I/O callbacks have run (in
// setImmediate): after every one of them came. Each turn that has callers sends its own, without
// waiting for an earlier one to come back (the connection answers them in order): a request waits
// one round trip from its turn, never for a PING that left before it came and then the next.
function createBarrier(ping: () => Promise<boolean>): () => Promise<boolean> {
  let turn: Promise<boolean> | null = null;
  return () =>
    (turn ??= new Promise<boolean>((resolve) =>
      setImmediate(() => {
        turn = null;
        ping().then(resolve);
      }),
    ));
}

export type { NearEntry } from "./near-cache";
