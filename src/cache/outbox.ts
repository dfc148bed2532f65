import type { Database } from "../data/database";
import type { Logger } from "../logger";
import { applyFootprint, mergeFootprints, type Footprint } from "./invalidation";
import type { CacheRuntime } from "./read-through";
import type { CacheStore } from "./store";

/** Runs one SQL statement in the writer's transaction (Prisma's `$queryRawUnsafe` or a SqlRunner's `query`). */
export type TransactionQuery = (sql: string, ...params: unknown[]) => Promise<unknown>;

/** Most outbox rows one replay merges into one footprint (two store round trips). */
const REPLAY_BATCH = 500;

/**
 * The invalidation outbox (DESIGN.md, "A write"): a write records its footprint in its own
 * transaction, applies it to the cache after commit, and deletes the row. If the cache cannot take
 * it, the row stays: the resilient store has opened its circuit (so this process reads the
 * database, never a stale entry), and `replay` applies what is pending before the circuit closes
 * again, periodically, and at start (a crash between commit and apply).
 */
export interface Outbox {
  /** Writes the footprint into the outbox inside the writer's transaction; returns the row id. */
  record(query: TransactionQuery, footprint: Footprint): Promise<string>;
  /** After commit: applies the footprint and deletes its row; false if the cache did not take it. */
  apply(id: string, footprint: Footprint): Promise<boolean>;
  /** Applies every pending row to the cache's store (see `OutboxReplay`); returns how many it applied. */
  replay(): Promise<number>;
  /** Rows waiting. */
  pending(): Promise<number>;
  /** Replays every `intervalMs` until `stop`. */
  start(): void;
  stop(): void;
}

/** How often pending rows are replayed when nothing else is configured (OUTBOX_REPLAY_INTERVAL_MS), ms. */
export const defaultOutboxIntervalMs = 5000;

/**
 * Applies every pending outbox row, oldest first, merged in batches, to the store it is given;
 * resolves to how many rows it applied. One replay at a time per process; concurrent replays
 * across processes are harmless (a DEL or an INCR applied twice retires nothing more than once did).
 */
export type OutboxReplay = (store: CacheStore | null) => Promise<number>;

/**
 * The replay alone, built before the store: the resilient store runs it (on the Redis it wraps)
 * before its circuit closes, and the outbox runs it periodically on the store itself.
 */
export function createOutboxReplay(db: Database, cache: Pick<CacheRuntime, "keys" | "stats">): OutboxReplay {
  let replaying: Promise<number> | null = null;

  async function replayOnce(store: CacheStore | null): Promise<number> {
    if (!store) return 0;
    let applied = 0;
    for (;;) {
      const rows = await db.sql.query<{ id: string; footprint: Footprint }>(
        `SELECT id::text AS id, footprint FROM cache_outbox ORDER BY id LIMIT $1`,
        [REPLAY_BATCH],
      );
      if (rows.length === 0) return applied;
      await applyFootprint(store, cache.keys, mergeFootprints(rows.map((row) => row.footprint)), cache.stats);
      await db.sql.query(`DELETE FROM cache_outbox WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
      applied += rows.length;
      if (rows.length < REPLAY_BATCH) return applied;
    }
  }

  return (store) => {
    replaying ??= replayOnce(store).finally(() => (replaying = null));
    return replaying;
  };
}

export interface OutboxOptions {
  /** Replays pending rows this often after `start`, ms. Default `defaultOutboxIntervalMs`. */
  intervalMs?: number;
  /** Fault injection for the consistency checker's own tests, never in production: drop every footprint instead of applying it. */
  skipInvalidation?: boolean;
}

/** The outbox of `cache.store` (null: no cache, every row is dropped once committed), replayed by `replay`. */
export function createOutbox(
  db: Database,
  cache: Pick<CacheRuntime, "store" | "keys" | "stats">,
  replay: OutboxReplay,
  logger: Logger,
  options: OutboxOptions = {},
): Outbox {
  let timer: NodeJS.Timeout | undefined;

  const outbox: Outbox = {
    async record(query, footprint) {
      const rows = (await query(
        `INSERT INTO cache_outbox (footprint) VALUES ($1::jsonb) RETURNING id::text AS id`,
        JSON.stringify(footprint),
      )) as { id: string }[];
      return rows[0].id;
    },

    async apply(id, footprint) {
      if (!cache.store || options.skipInvalidation) {
        await db.sql.query(`DELETE FROM cache_outbox WHERE id = $1`, [id]);
        return true;
      }
      try {
        await applyFootprint(cache.store, cache.keys, footprint, cache.stats);
      } catch (error) {
        logger.warn({ err: error, outboxId: id }, "invalidation kept in the outbox: the cache did not take it");
        await db.sql.query(`UPDATE cache_outbox SET attempts = attempts + 1 WHERE id = $1`, [id]).catch(() => undefined);
        return false;
      }
      await db.sql.query(`DELETE FROM cache_outbox WHERE id = $1`, [id]);
      return true;
    },

    replay: () => replay(cache.store),

    async pending() {
      const [row] = await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM cache_outbox`);
      return Number(row.n);
    },

    start() {
      timer = setInterval(() => {
        outbox.replay().catch((error) => logger.debug({ err: error }, "outbox replay failed; will retry"));
      }, options.intervalMs ?? defaultOutboxIntervalMs);
      timer.unref();
    },

    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return outbox;
}
