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
  /** Applies every pending row, oldest first, merged in batches, to `store` (default the cache's); returns how many it applied. */
  replay(store?: CacheStore): Promise<number>;
  /** Rows waiting. */
  pending(): Promise<number>;
  /** Replays every `intervalMs` (default 5000) until `stop`. */
  start(intervalMs?: number): void;
  stop(): void;
}

/**
 * `skipInvalidation` (fault injection for the consistency checker's tests, never in production)
 * drops every footprint instead of applying it.
 */
export function createOutbox(db: Database, cache: CacheRuntime, logger: Logger, faults: { skipInvalidation?: boolean } = {}): Outbox {
  let timer: NodeJS.Timeout | undefined;
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

  const outbox: Outbox = {
    async record(query, footprint) {
      const rows = (await query(
        `INSERT INTO cache_outbox (footprint) VALUES ($1::jsonb) RETURNING id::text AS id`,
        JSON.stringify(footprint),
      )) as { id: string }[];
      return rows[0].id;
    },

    async apply(id, footprint) {
      if (!cache.store || faults.skipInvalidation) {
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

    replay(store = cache.store ?? undefined) {
      // One replay at a time per process; concurrent replays across processes are harmless (a
      // DEL or an INCR applied twice retires nothing more than once did).
      replaying ??= replayOnce(store ?? null).finally(() => (replaying = null));
      return replaying;
    },

    async pending() {
      const [row] = await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM cache_outbox`);
      return Number(row.n);
    },

    start(intervalMs = 5000) {
      timer = setInterval(() => {
        outbox.replay().catch((error) => logger.debug({ err: error }, "outbox replay failed; will retry"));
      }, intervalMs);
      timer.unref();
    },

    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return outbox;
}
