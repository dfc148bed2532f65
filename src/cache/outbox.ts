import type { Database } from "../data/database";
import type { Logger } from "../logger";
import { applyFootprint, mergeFootprints, type Footprint } from "./invalidation";
import type { Purger } from "./purge";
import type { CacheRuntime } from "./read-through";
import type { ReplicaMarks } from "./replica-marks";
import type { CacheStore } from "./store";
import { footprintTags } from "./tags";

/** Runs one SQL statement in the writer's transaction (Prisma's `$queryRawUnsafe` or a SqlRunner's `query`). */
export type TransactionQuery = (sql: string, ...params: unknown[]) => Promise<unknown>;

/** An outbox row's `footprint` (JSON text) and `purge_pending`. */
export type OutboxColumns = [footprint: string, purgePending: boolean];

/** Most outbox rows one replay merges into one footprint (two store round trips). */
const REPLAY_BATCH = 500;

/**
 * The invalidation outbox (DESIGN.md, "A write"): a write records its footprint in its own
 * transaction, applies it to the cache after commit, and marks the row applied. If the cache cannot
 * take it, the row stays pending: the resilient store has opened its circuit (so this process reads
 * the database, never a stale entry), the hand-off asks the other instances to apply it before the
 * write returns (src/cache/outbox-relay.ts), and `replay` applies what is pending before the circuit
 * closes again, periodically, and at start (a crash between commit and apply).
 *
 * Applied rows are kept `retainSeconds`: after a Redis failover the promoted replica may lack the
 * last DELs and INCRs (replication is asynchronous), and `OutboxReplay.recent` applies them again.
 *
 * With a CDN purge hook (purge.ts) a row has a second state, `purge_pending`: once its invalidation
 * is applied (never before: a CDN that refetched while Redis still held the old entries would cache
 * them again), the footprint's surrogate keys (tags.ts) are POSTed; a purge the endpoint does not
 * accept stays pending, is sent again by `replay`, and keeps its row from being pruned.
 */
export interface Outbox {
  /** Writes the footprint into the outbox inside the writer's transaction; returns the row id. */
  record(query: TransactionQuery, footprint: Footprint): Promise<string>;
  /**
   * The values of the row `record` writes for `footprint`, in its column order (`footprint`,
   * `purge_pending`): for a write that inserts the row within its own statement (writer.ts `statement`).
   */
  columns(footprint: Footprint): OutboxColumns;
  /**
   * After commit: applies the footprint and marks its row applied. The mark is not waited for: it
   * only spares the row a replay (which would apply it again, retiring nothing more), so the write
   * is not held for a statement and its commit; the marks of `markGatherMs` (OutboxOptions) go in one statement. If the cache did not take it,
   * hands the row off (when a hand-off is configured) and resolves once it is safe to acknowledge
   * the write; false when this process could not apply it itself.
   */
  apply(id: string, footprint: Footprint): Promise<boolean>;
  /** Applies every pending row to the cache's store (see `OutboxReplay`), then sends pending purges; returns how many rows it applied. */
  replay(): Promise<number>;
  /** Rows waiting (once the marks of rows applied so far are written). */
  pending(): Promise<number>;
  /** Resolves once the marks of the rows applied so far are written (or failed: those rows are replayed, see `apply`). */
  written(): Promise<void>;
  /** Replays pending rows and forgets applied rows past their retention, every `intervalMs`, until `stop`. */
  start(): void;
  stop(): void;
}

/** How often pending rows are replayed when nothing else is configured (OUTBOX_REPLAY_INTERVAL_MS), ms. */
export const defaultOutboxIntervalMs = 5000;

/** How long applied rows are kept for a replay after a Redis failover when nothing else is configured (OUTBOX_RETAIN_SECONDS). */
export const defaultOutboxRetainSeconds = 300;

/**
 * Replays rows to the store it is given. One replay of pending rows at a time per process (a call
 * during one is answered by the next); concurrent replays across processes are harmless (a DEL or an INCR applied twice retires nothing
 * more than once did).
 */
export interface OutboxReplay {
  /** Applies every pending row, oldest first, merged in batches, and marks them applied; how many. */
  pending(store: CacheStore | null): Promise<number>;
  /** Applies again every row applied in the last `withinSeconds` (after a failover); how many. */
  recent(store: CacheStore, withinSeconds: number): Promise<number>;
}

/**
 * The replay alone, built before the store: the resilient store runs it (on the Redis it wraps)
 * before its circuit closes, and the outbox runs it periodically on the store itself.
 */
export function createOutboxReplay(db: Database, cache: Pick<CacheRuntime, "keys" | "stats">, marking?: ReplicaMarking): OutboxReplay {
  const apply = (store: CacheStore, footprint: Footprint) => applyMarked(store, cache, footprint, marking);
  let running: Promise<number> | null = null;
  let queued: Promise<number> | null = null;

  async function replayPending(store: CacheStore | null): Promise<number> {
    if (!store) return 0;
    let applied = 0;
    for (;;) {
      const rows = await db.sql.query<{ id: string; footprint: Footprint }>(
        `SELECT id::text AS id, footprint FROM cache_outbox WHERE applied_at IS NULL ORDER BY id LIMIT $1`,
        [REPLAY_BATCH],
      );
      if (rows.length === 0) return applied;
      await apply(store, mergeFootprints(rows.map((row) => row.footprint)));
      await db.sql.query(`UPDATE cache_outbox SET applied_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
      applied += rows.length;
      if (rows.length < REPLAY_BATCH) return applied;
    }
  }

  function pending(store: CacheStore | null): Promise<number> {
    if (!running) {
      running = replayPending(store).finally(() => (running = null));
      return running;
    }
    // A replay already running may have read the pending rows before the one a caller knows of
    // was committed: one more replay follows it (one at most, however many callers ask).
    queued ??= running.catch(() => 0).then(() => {
      queued = null;
      return pending(store);
    });
    return queued;
  }

  return {
    pending,

    async recent(store, withinSeconds) {
      let applied = 0;
      for (let after = "0"; ; ) {
        const rows = await db.sql.query<{ id: string; footprint: Footprint }>(
          `SELECT id::text AS id, footprint FROM cache_outbox
           WHERE applied_at >= now() - make_interval(secs => $1) AND id > $2::bigint ORDER BY id LIMIT $3`,
          [withinSeconds, after, REPLAY_BATCH],
        );
        if (rows.length === 0) return applied;
        await apply(store, mergeFootprints(rows.map((row) => row.footprint)));
        applied += rows.length;
        after = rows[rows.length - 1].id;
      }
    },
  };
}

export interface OutboxOptions {
  /** Replays pending rows this often after `start`, ms. Default `defaultOutboxIntervalMs`. */
  intervalMs?: number;
  /** Applied rows are kept this long, seconds. Default `defaultOutboxRetainSeconds`. */
  retainSeconds?: number;
  /** The marks of rows applied within this many ms go in one statement. Default `defaultMarkGatherMs`. */
  markGatherMs?: number;
  /**
   * Called when this process could not apply row `id`: resolves when the write may be
   * acknowledged (another instance applied it, or none can be serving from the cache). Default none.
   */
  handOff?: (id: string) => Promise<unknown>;
  /** Fault injection for the consistency checker's own tests, never in production: drop every footprint instead of applying it. */
  skipInvalidation?: boolean;
  /** The CDN purge hook; unset: rows are written with no purge pending. */
  purger?: Purger;
  /** With read replicas: the marks raised before each footprint is applied (replica-marks.ts). Default none. */
  replicaMarks?: ReplicaMarking;
}

/** The replica marks and where the primary's WAL is now (`primaryWalPosition`). */
export interface ReplicaMarking {
  marks: ReplicaMarks;
  primaryPosition(): Promise<string>;
}

/**
 * Applies a footprint; with read replicas, first raises its marks to the primary's position now,
 * which is past the commit of every row being applied (they are committed: this runs after
 * commit, or replays what a committed transaction left). Marks go first: a fill leased after the
 * invalidation then reads them raised and leaves a replica that lacks the write (replica-fills.ts).
 */
async function applyMarked(store: CacheStore, cache: Pick<CacheRuntime, "keys" | "stats">, footprint: Footprint, marking?: ReplicaMarking): Promise<void> {
  if (marking) await marking.marks.record(store, footprint, await marking.primaryPosition());
  await applyFootprint(store, cache.keys, footprint, cache.stats);
}

/** The outbox of `cache.store` (null: no cache, every row is marked applied once committed), replayed by `replay`. */
export function createOutbox(
  db: Database,
  cache: Pick<CacheRuntime, "store" | "keys" | "stats">,
  replay: OutboxReplay,
  logger: Logger,
  options: OutboxOptions = {},
): Outbox {
  let timer: NodeJS.Timeout | undefined;
  const retainSeconds = options.retainSeconds ?? defaultOutboxRetainSeconds;
  const marks = createMarks(db, logger, options.markGatherMs ?? defaultMarkGatherMs);
  const purges = createPurges(db, cache, options.purger, logger);

  const outbox: Outbox = {
    async record(query, footprint) {
      const rows = (await query(
        `INSERT INTO cache_outbox (footprint, purge_pending) VALUES ($1::jsonb, $2) RETURNING id::text AS id`,
        ...outbox.columns(footprint),
      )) as { id: string }[];
      return rows[0].id;
    },

    columns: (footprint) => [JSON.stringify(footprint), options.purger !== undefined],

    async apply(id, footprint) {
      if (!cache.store || options.skipInvalidation) {
        marks.add(id);
        await purges.send([id], footprint);
        return true;
      }
      try {
        await applyMarked(cache.store, cache, footprint, options.replicaMarks);
      } catch (error) {
        logger.warn({ err: error, outboxId: id }, "invalidation kept in the outbox: the cache did not take it");
        await db.sql.query(`UPDATE cache_outbox SET attempts = attempts + 1 WHERE id = $1`, [id]).catch(() => undefined);
        await options.handOff?.(id);
        return false;
      }
      marks.add(id);
      await purges.send([id], footprint);
      return true;
    },

    async replay() {
      const applied = await replay.pending(cache.store);
      await purges.replay();
      return applied;
    },

    async pending() {
      await marks.written();
      const [row] = await db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM cache_outbox WHERE applied_at IS NULL`);
      return Number(row.n);
    },

    start() {
      timer = setInterval(() => {
        outbox.replay().catch((error) => logger.debug({ err: error }, "outbox replay failed; will retry"));
        db.sql
          .query(`DELETE FROM cache_outbox WHERE applied_at < now() - make_interval(secs => $1) AND NOT purge_pending`, [retainSeconds])
          .catch((error) => logger.debug({ err: error }, "applied outbox rows were not pruned; will retry"));
      }, options.intervalMs ?? defaultOutboxIntervalMs);
      timer.unref();
    },

    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },

    written: () => marks.written(),
  };
  return outbox;
}

/** Marks rows applied, batched (see `Outbox.apply`). */
interface Marks {
  add(id: string): void;
  /** Resolves once every mark added so far is written or has failed. */
  written(): Promise<void>;
}

/**
 * How long the first mark queued waits for others before they are written when nothing else is
 * configured (OUTBOX_MARK_GATHER_MS), ms. Writes of one hot product come one after another, each
 * in its own turn: marked per turn, each cost one more statement (under the bench's price writes,
 * about half a millisecond of the gateway's CPU a write, most of it the socket write). A mark later
 * by this much only means that a replay running meanwhile applies its row once more (harmless, see
 * `OutboxReplay`); `written` does not wait for it.
 */
export const defaultMarkGatherMs = 100;

function createMarks(db: Database, logger: Logger, markGatherMs: number): Marks {
  let queued: string[] = [];
  // Writes the queued marks, one statement at a time (those queued meanwhile go in the next),
  // `markGatherMs` after the first was queued, or at once when `written` is asked.
  let draining: Promise<void> | null = null;
  let now: (() => void) | null = null;

  // One statement per batch: a transaction that skipped the WAL flush (synchronous_commit off)
  // took four, and the gateway's CPU, not the database's flushes, is what a write costs most.
  const mark = (ids: string[]) =>
    db.sql
      .query(`UPDATE cache_outbox SET applied_at = now() WHERE id = ANY($1::bigint[])`, [ids])
      .catch((error: unknown) => logger.debug({ err: error, outboxIds: ids }, "applied outbox rows were not marked; the replay applies them again"));

  async function drain(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, markGatherMs);
      // A process that exits meanwhile leaves its rows to the replay of the next.
      timer.unref();
      now = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    now = null;
    while (queued.length > 0) {
      const ids = queued;
      queued = [];
      await mark(ids);
    }
    draining = null;
  }

  return {
    add(id) {
      queued.push(id);
      draining ??= drain();
    },
    written() {
      now?.();
      return draining ?? Promise.resolve();
    },
  };
}

/** Sends CDN purges of applied rows (purge_pending), after their invalidation and again until accepted. */
interface Purges {
  /** Purges the tags of `footprint` (rows `ids`, applied) and clears their purge; false (kept pending) if the endpoint did not accept it. */
  send(ids: string[], footprint: Footprint): Promise<boolean>;
  /** Sends every pending purge of an applied row, oldest first, merged in batches; one replay at a time per process. */
  replay(): Promise<void>;
}

function createPurges(db: Database, cache: Pick<CacheRuntime, "keys">, purger: Purger | undefined, logger: Logger): Purges {
  let replaying: Promise<void> | null = null;

  // A purge is claimed (its flag cleared) before it is sent and given back if the endpoint refuses
  // it, so the write's own send and a replay running at the same moment never send it twice.
  async function purge(ids: string[], footprint: Footprint): Promise<boolean> {
    try {
      await purger!.purge(footprintTags(cache.keys, footprint));
      return true;
    } catch (error) {
      logger.warn({ err: error, outboxIds: ids }, "CDN purge kept in the outbox: the purge endpoint did not take it");
      await db.sql.query(`UPDATE cache_outbox SET purge_pending = true WHERE id = ANY($1::bigint[])`, [ids]).catch(() => undefined);
      return false;
    }
  }

  async function send(ids: string[], footprint: Footprint): Promise<boolean> {
    if (!purger) return true;
    const claimed = await db.sql.query<{ id: string }>(
      `UPDATE cache_outbox SET purge_pending = false WHERE id = ANY($1::bigint[]) AND purge_pending RETURNING id::text AS id`,
      [ids],
    );
    return claimed.length === 0 || purge(claimed.map((row) => row.id), footprint);
  }

  async function replayOnce(): Promise<void> {
    // A row written with a hook and read by a process without one keeps its purge pending: only a
    // process that can send it clears it.
    if (!purger) return;
    for (;;) {
      const rows = await db.sql.query<{ id: string; footprint: Footprint }>(
        `UPDATE cache_outbox SET purge_pending = false
         WHERE id IN (SELECT id FROM cache_outbox WHERE purge_pending AND applied_at IS NOT NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id::text AS id, footprint`,
        [REPLAY_BATCH],
      );
      if (rows.length === 0) return;
      const sent = await purge(rows.map((row) => row.id), mergeFootprints(rows.map((row) => row.footprint)));
      if (!sent || rows.length < REPLAY_BATCH) return;
    }
  }

  return {
    send,
    replay: () => (replaying ??= replayOnce().finally(() => (replaying = null))),
  };
}
