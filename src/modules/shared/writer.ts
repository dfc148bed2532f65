import { isEmptyFootprint, type Footprint } from "../../cache/invalidation";
import type { Outbox } from "../../cache/outbox";
import type { Database } from "../../data/database";
import { ConflictError } from "../../errors";
import { Prisma } from "../../generated/prisma/client";

/** Prisma's client inside an interactive transaction. */
export type Tx = Prisma.TransactionClient;

/** What a write's work returns: its result and its footprint (what the cache must forget). */
export interface WriteOutcome<T> {
  result: T;
  footprint: Footprint;
}

/**
 * Runs every catalog write the same way (DESIGN.md, "A write"): the change and an outbox row with
 * its footprint in one transaction; after commit, the footprint applied to the cache (kept in the
 * outbox if the cache cannot take it). A write that throws commits nothing and touches no cache.
 * `transactions` bounds each transaction (DATABASE_TRANSACTION_TIMEOUT_MS, DATABASE_TRANSACTION_MAX_WAIT_MS).
 */
export function createWriter(db: Database, outbox: Outbox, transactions: { timeoutMs: number; maxWaitMs: number }) {
  return async function write<T>(work: (tx: Tx) => Promise<WriteOutcome<T>>): Promise<WriteOutcome<T>> {
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
  };
}

export type Writer = ReturnType<typeof createWriter>;

/**
 * A unique violation that slipped between a service's check and its insert (two writers racing
 * for one SKU or slug) becomes the CONFLICT the check would have given.
 */
export function translateConstraint(error: unknown): unknown {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    const target = JSON.stringify(error.meta?.target ?? error.meta?.driverAdapterError ?? "a unique field");
    const field = /sku/.test(target) ? "input.sku" : /slug/.test(target) ? "input.slug" : undefined;
    return new ConflictError(`The value of ${field ?? target} is already taken`, field);
  }
  const code = (error as { cause?: { code?: string }; code?: string })?.cause?.code ?? (error as { code?: string })?.code;
  if (code === "23505") return new ConflictError("A unique value is already taken");
  return error;
}
