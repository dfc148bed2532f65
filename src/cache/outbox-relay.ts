import type { Database } from "../data/database";
import type { ListenOptions, NotificationListener } from "../data/notifications";
import type { Logger } from "../logger";

/**
 * Closes the partial-partition window of the outbox: this instance cannot reach Redis, another can.
 * The write commits, this instance's invalidation fails (its circuit opens, so it reads the
 * database), and the other instance would keep serving what the write changed until some replay.
 *
 * The choice (README, "Failure modes"): a write is acknowledged only when its invalidation has been
 * applied by some instance, or when no other instance can be serving from the cache.
 * - Every instance LISTENs on one PostgreSQL channel. An instance that could not apply a row
 *   NOTIFYs its id; every instance that hears it replays the pending rows into its store.
 * - The writer then waits until the row is marked applied. It stops waiting at once when no other
 *   instance listens (none can be serving from Redis on this writer's behalf), and at the latest
 *   after `ackTimeoutMs`.
 * - Fencing makes that bound safe: an instance whose LISTEN connection is not healthy (it would not
 *   hear a hand-off) stops reading the cache (`fence`) until it listens again and has replayed what
 *   is pending. A listener is found dead within its heartbeat plus heartbeat timeout, so with
 *   `ackTimeoutMs` above that, every instance still serving from Redis has heard the hand-off.
 */
export interface OutboxRelay {
  /** This instance could not apply row `id`: asks the others to, and resolves when the write may be acknowledged. */
  handOff(id: string): Promise<HandOffOutcome>;
  stop(): Promise<void>;
}

/** How a hand-off ended: applied by an instance, nobody else listening, or the wait ran out. */
export type HandOffOutcome = "applied" | "alone" | "timed-out";

export interface OutboxRelayOptions {
  /** NOTIFY channel. Default "catalog_cache_outbox". */
  channel?: string;
  /** Names this deployment's listeners in pg_stat_activity (the cache prefix tells deployments apart). */
  applicationName: string;
  /** Longest a write waits for another instance to apply its invalidation, ms. Default 5000. */
  ackTimeoutMs?: number;
  /** Listener heartbeat and its timeout, ms. Defaults 1000 and 3000 (a loaded machine answers a heartbeat late, not never). */
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
}

/** Defaults of `OutboxRelayOptions`. */
export const defaultOutboxRelayOptions = { channel: "catalog_cache_outbox", ackTimeoutMs: 5000, heartbeatMs: 1000, heartbeatTimeoutMs: 3000 } as const;

export interface OutboxRelayDeps {
  db: Database;
  /** Opens this instance's LISTEN connection (src/data/notifications.ts). */
  listen(options: ListenOptions): Promise<NotificationListener>;
  /** Applies every pending row to this instance's store (the outbox's replay). */
  replayPending(): Promise<number>;
  /** Stops (a reason) or resumes (null) reads from the cache. */
  fence(reason: string | null): void;
  logger: Logger;
}

const POLL_MS = 20;

/** Starts listening (the store stays fenced while the listener is not healthy) and returns the relay. */
export async function createOutboxRelay(deps: OutboxRelayDeps, options: OutboxRelayOptions): Promise<OutboxRelay> {
  const o = { ...defaultOutboxRelayOptions, ...options };
  const { db, logger } = deps;
  const replay = () =>
    deps.replayPending().catch((error) => logger.debug({ err: error }, "a handed-off invalidation could not be applied here"));

  const listener = await deps.listen({
    channel: o.channel,
    applicationName: o.applicationName,
    heartbeatMs: o.heartbeatMs,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs,
    onNotify: () => void replay(),
    onHealth: (healthy, reason) => {
      if (healthy) {
        logger.info("listening for other instances' invalidations: cache reads resume after a replay");
        deps.fence(null);
      } else {
        logger.warn({ reason }, "cannot hear other instances' invalidations: reading the database, not the cache, until it can");
        deps.fence(`the invalidation listener is down (${reason})`);
      }
    },
  });

  // Nothing has read the cache yet: if the first connection failed, nothing may until it listens.
  if (!listener.healthy) deps.fence("the invalidation listener could not connect yet");

  async function applied(id: string): Promise<boolean> {
    const [row] = await db.sql.query<{ applied: boolean }>(`SELECT applied_at IS NOT NULL AS applied FROM cache_outbox WHERE id = $1`, [id]);
    return !row || row.applied;
  }

  async function othersListening(): Promise<boolean> {
    const [row] = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE application_name = $1 AND datname = current_database() AND pid <> $2`,
      [o.applicationName, listener.backendPid ?? -1],
    );
    return row.n > 0;
  }

  return {
    async handOff(id) {
      const started = Date.now();
      await db.sql.query(`SELECT pg_notify($1, $2)`, [o.channel, id]);
      for (;;) {
        if (await applied(id)) return "applied";
        if (!(await othersListening())) return "alone";
        if (Date.now() - started > o.ackTimeoutMs) {
          logger.warn({ outboxId: id, waitedMs: Date.now() - started }, "no instance applied a handed-off invalidation in time");
          return "timed-out";
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    stop: () => listener.close(),
  };
}
