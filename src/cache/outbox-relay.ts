import type { Database } from "../data/database";
import type { ListenOptions, NotificationListener } from "../data/notifications";
import { ServiceUnavailableError } from "../errors";
import type { Logger } from "../logger";

/**
 * Closes the partial-partition window of the outbox: this instance cannot reach Redis, another can.
 * The write commits, this instance's invalidation fails (its circuit opens, so it reads the
 * database), and the other instance would keep serving what the write changed until some replay.
 *
 * The choice (README, "Failure modes"): a write is acknowledged only when its invalidation has been
 * applied by some instance, or when no other instance is there to serve from the cache.
 * - Every instance LISTENs on one PostgreSQL channel. An instance that could not apply a row
 *   NOTIFYs its id; every instance that hears it replays the pending rows into its store.
 * - The writer then waits until the row is marked applied, and stops waiting at once when no other
 *   instance listens (none is there to serve from Redis on this writer's behalf).
 * - If instances listen but none applies it within `ackTimeoutMs` (they cannot reach Redis either,
 *   or cannot hear PostgreSQL), the write is not acknowledged as done: it fails with
 *   SERVICE_UNAVAILABLE saying it committed and that its invalidation is pending.
 * An instance that cannot hear PostgreSQL keeps serving what its cache holds (a PostgreSQL outage
 * must not take cached reads down with it); it replays what is pending when it hears again.
 */
export interface OutboxRelay {
  /** This instance could not apply row `id`: asks the others to, and resolves when the write may be acknowledged. */
  handOff(id: string): Promise<HandOffOutcome>;
  stop(): Promise<void>;
}

/** How a hand-off ended: applied by an instance, or nobody else listening (a wait that runs out throws `InvalidationPendingError`). */
export type HandOffOutcome = "applied" | "alone";

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
  logger: Logger;
}

const POLL_MS = 20;

/** The write committed, but no instance applied its invalidation in time: it must not be acknowledged as done. */
export class InvalidationPendingError extends ServiceUnavailableError {
  constructor(waitedMs: number) {
    super(
      `The write was committed, but no gateway instance could apply its cache invalidation within ${waitedMs} ms ` +
        "(Redis is unreachable from here, and no other instance applied it): reads may show the previous value until one does. " +
        "Repeating an update is safe.",
    );
  }
}

/** Starts listening and returns the relay. */
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
      if (!healthy) return void logger.warn({ reason }, "cannot hear other instances' invalidations; listening again");
      logger.info("listening for other instances' invalidations");
      void replay(); // what was handed off while this instance could not hear it
    },
  });

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
          throw new InvalidationPendingError(o.ackTimeoutMs);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    stop: () => listener.close(),
  };
}
