import type { Prisma } from "../generated/prisma/client";
import type { SqlRunner } from "./database";

/**
 * The catalog write lock: one PostgreSQL advisory lock, held until the caller's transaction ends,
 * that orders every write which reads or changes the shape of the category tree. Exclusive for
 * whoever changes the tree (category mutations, imports, seeds); shared for product writes, which
 * only read it. Nothing else takes it, and it is never held across transactions.
 */

/** The advisory lock's key: any fixed number, the same for every writer of one database. */
export const CATALOG_WRITE_LOCK_ID = 7_204_118;

/** The caller's open transaction: a `SqlRunner` (importer, seeder) or Prisma's transaction client (services). */
export type CatalogTransaction = SqlRunner | Prisma.TransactionClient;

/**
 * Takes the lock exclusively. Category mutations take it so that two moves never interleave into a
 * cycle, and so that no product write computes its footprint from paths a move is changing;
 * imports and seeds take it so that two of them never interleave (and gateways starting together
 * seed once). Call it first in the transaction, before any row lock.
 */
export async function lockCatalogExclusive(tx: CatalogTransaction): Promise<void> {
  await advisoryTransactionLock(tx, "pg_advisory_xact_lock");
}

/**
 * Takes the lock shared: product writes (createProduct, updateProduct, deleteProduct,
 * importProducts) run side by side, but never during a tree write. A product write computes its
 * footprint from category paths; were a move of one of those categories to commit before the
 * product write does, the write would invalidate the old ancestors' listings while the new
 * ancestors, already invalidated by the move, keep an entry without the product (found by the
 * consistency checker). Call it first in the transaction, before any row lock.
 */
export async function lockCatalogShared(tx: CatalogTransaction): Promise<void> {
  await advisoryTransactionLock(tx, "pg_advisory_xact_lock_shared");
}

// Prisma cannot read the `void` these functions return through $queryRaw, so its client runs them
// as a statement; a SqlRunner returns rows and ignores their type.
async function advisoryTransactionLock(tx: CatalogTransaction, fn: "pg_advisory_xact_lock" | "pg_advisory_xact_lock_shared"): Promise<void> {
  const statement = `SELECT ${fn}($1)`;
  if ("$executeRawUnsafe" in tx) await tx.$executeRawUnsafe(statement, CATALOG_WRITE_LOCK_ID);
  else await tx.query(statement, [CATALOG_WRITE_LOCK_ID]);
}
