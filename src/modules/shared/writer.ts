import { isEmptyFootprint, type Footprint } from "../../cache/invalidation";
import type { Outbox, OutboxColumns, TransactionQuery } from "../../cache/outbox";
import type { Database } from "../../data/database";
import { ConflictError, ServiceUnavailableError } from "../../errors";
import { Prisma } from "../../generated/prisma/client";

/** Prisma's client inside an interactive transaction. */
export type Tx = Prisma.TransactionClient;

/** What a write's work returns: its result and its footprint (what the cache must forget). */
export interface WriteOutcome<T> {
  result: T;
  footprint: Footprint;
}

/** What `Writer.statement` gives the statement it runs. */
export interface StatementTools {
  /** Sends one statement (counted with Prisma's). */
  query: TransactionQuery;
  /** The outbox row of a footprint, for the statement to insert. */
  columns(footprint: Footprint): OutboxColumns;
  /** How long it may wait for a lock (DATABASE_TRANSACTION_TIMEOUT_MS, which bounds a transaction), ms. */
  lockTimeoutMs: number;
}

/** A write done in one statement, as `Writer.statement` runs it: its outcome and its outbox row's id. */
export interface StatementOutcome<T> {
  outcome: WriteOutcome<T>;
  outboxId: string;
}

/**
 * Runs every catalog write the same way (DESIGN.md, "A write"): the change and an outbox row with
 * its footprint in one transaction; after commit, the footprint applied to the cache (kept in the
 * outbox if the cache cannot take it). A write that throws commits nothing and touches no cache.
 */
export interface Writer {
  /** The write `work` does in an interactive transaction (Prisma's), with the outbox row added to it. */
  <T>(work: (tx: Tx) => Promise<WriteOutcome<T>>): Promise<WriteOutcome<T>>;
  /**
   * A write that is one SQL statement: the change and its outbox row together (PostgreSQL runs a
   * statement as one transaction), so no lock it takes is held across a round trip to this process.
   * `run` sends its statements through `tools.query` with the outbox row of the footprint it
   * computed (`tools.columns`), and returns what the statement committed, or null when it wrote
   * nothing (the service tries again or writes otherwise). The footprint is then applied as after
   * any write.
   */
  statement<T>(run: (tools: StatementTools) => Promise<StatementOutcome<T> | null>): Promise<WriteOutcome<T> | null>;
}

/**
 * The writer of `db` and `outbox`. `transactions` bounds each interactive transaction
 * (DATABASE_TRANSACTION_TIMEOUT_MS, DATABASE_TRANSACTION_MAX_WAIT_MS).
 */
export function createWriter(db: Database, outbox: Outbox, transactions: { timeoutMs: number; maxWaitMs: number }): Writer {
  const tools: StatementTools = {
    query: (sql, ...params) => {
      db.counter.statements += 1;
      return db.sql.query(sql, params);
    },
    columns: (footprint) => outbox.columns(footprint),
    lockTimeoutMs: transactions.timeoutMs,
  };

  async function statement<T>(run: Parameters<Writer["statement"]>[0]): Promise<WriteOutcome<T> | null> {
    let committed: StatementOutcome<T> | null;
    try {
      committed = (await run(tools)) as StatementOutcome<T> | null;
    } catch (error) {
      throw translateConstraint(error);
    }
    if (committed === null) return null;
    await outbox.apply(committed.outboxId, committed.outcome.footprint);
    return committed.outcome;
  }

  async function write<T>(work: (tx: Tx) => Promise<WriteOutcome<T>>): Promise<WriteOutcome<T>> {
    let committed: { outcome: WriteOutcome<T>; outboxId: string | null };
    try {
      committed = await db.prisma.$transaction(
        async (tx) => {
          const outcome = await work(tx);
          if (isEmptyFootprint(outcome.footprint)) return { outcome, outboxId: null };
          const outboxId = await outbox.record((sql, ...params) => tx.$queryRawUnsafe(sql, ...params), outcome.footprint);
          return { outcome, outboxId };
        },
        { timeout: transactions.timeoutMs, maxWait: transactions.maxWaitMs },
      );
    } catch (error) {
      throw translateConstraint(error);
    }
    if (committed.outboxId !== null) await outbox.apply(committed.outboxId, committed.outcome.footprint);
    return committed.outcome;
  }

  return Object.assign(write, { statement });
}

/**
 * A unique violation that slipped between a service's check and its insert (two writers racing
 * for one SKU or slug) becomes the CONFLICT the check would have given; a lock waited for past its
 * bound, SERVICE_UNAVAILABLE.
 */
export function translateConstraint(error: unknown): unknown {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    const target = JSON.stringify(error.meta?.target ?? error.meta?.driverAdapterError ?? "a unique field");
    const field = /sku/.test(target) ? "input.sku" : /slug/.test(target) ? "input.slug" : undefined;
    return new ConflictError(`The value of ${field ?? target} is already taken`, field);
  }
  const code = (error as { cause?: { code?: string }; code?: string })?.cause?.code ?? (error as { code?: string })?.code;
  if (code === "23505") return new ConflictError("A unique value is already taken");
  // lock_not_available: a one-statement write's lock_timeout (Writer.statement).
  if (code === "55P03") return new ServiceUnavailableError("Another write held what this one needs for longer than DATABASE_TRANSACTION_TIMEOUT_MS; nothing was written, try again");
  return error;
}
