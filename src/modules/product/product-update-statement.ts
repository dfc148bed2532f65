import type { TransactionQuery } from "../../cache/outbox";
import { CATALOG_WRITE_LOCK_ID } from "../../data/catalog-lock";
import { Prisma, type Product } from "../../generated/prisma/client";
import { productFieldsFootprint, productUpdateFootprint, type ProductFacts } from "../shared/footprints";
import type { Writer } from "../shared/writer";
import type { ProductFields } from "./product-input";

/**
 * An update of a product's own fields as one SQL statement (writer.ts `statement`): the shared
 * catalog lock, the row locked, the update and its outbox row, committed together. The row lock is
 * then held for the statement alone, inside PostgreSQL, not across the round trips of an
 * interactive transaction: writes of one hot product queue behind each other's statement, not
 * behind each other's turns of this process's event loop (which, under load, are what a
 * transaction's round trips wait for).
 *
 * Its footprint depends on the row before the update (what changed), so it is computed from a read
 * just before; the statement records it when the locked row still has the facts it was computed
 * from (the same `version`, a hash of them). If another write of the product came between (writes
 * of one hot product do), it records instead what a change of each field it sets can retire,
 * whatever the row held (footprints.ts `productFieldsFootprint`): a little more than the precise one,
 * never less, and no second try that would queue again behind the others. Only a change of what
 * names the keys (the SKU, the category and its path) makes it write nothing and try again from the
 * row it locked.
 */

/** The fields an update may change in one statement: none needs a check against another row (SKU, category, attribute definitions). */
export const ONE_STATEMENT_FIELDS: ReadonlySet<string> = new Set<keyof ProductFields>(["name", "description", "brand", "price", "stock", "popularity", "imageUrl"]);

/** Tries of one update before the caller writes in a transaction that holds the row (its SKU or category changing under it). */
const TRIES = 3;

/** A product's facts, its category's path, and the hash of both the statement compares. */
type VersionedFacts = ProductFacts & { categoryPath: string; version: string };

// The facts of product `p` in category `c` that a footprint is computed from, and their hash.
const FACTS = `p.id, p.sku, p.name, p.description, p.brand, p.price::text AS price, p.stock, p.popularity, p.attributes,
  p.category_id AS "categoryId", c.path AS "categoryPath",
  md5(row(p.sku, p.name, p.description, p.brand, p.price, p.stock, p.popularity, p.attributes, p.category_id, c.path)::text) AS version`;

const READ_FACTS = `SELECT ${FACTS} FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = $1`;

// The catalog lock is taken first, as in every product write (catalog-lock.ts): the row is locked
// (LockRows) only once a row of the join with `catalog` exists. Before either, `bound` sets this
// statement's lock_timeout ($18, DATABASE_TRANSACTION_TIMEOUT_MS, as a transaction is bounded): a
// write waiting behind a long one (an import holds the catalog lock) fails instead of waiting forever. Answers one 'after' row when it
// wrote (`precise`: with the footprint computed from the read), and the 'before' row it locked
// (absent: no such product).
const UPDATE = `
WITH bound AS MATERIALIZED (SELECT set_config('lock_timeout', $18::text, true)),
catalog AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared($1::bigint) FROM bound),
locked AS MATERIALIZED (
  SELECT ${FACTS} FROM catalog, products p JOIN categories c ON c.id = p.category_id WHERE p.id = $2 FOR UPDATE OF p
),
changed AS (
  UPDATE products p
     SET name = COALESCE($4, p.name), description = COALESCE($5, p.description), brand = COALESCE($6, p.brand),
         price = COALESCE($7::numeric, p.price), stock = COALESCE($8::int, p.stock), popularity = COALESCE($9::int, p.popularity),
         image_url = CASE WHEN $10::boolean THEN $11 ELSE p.image_url END, updated_at = now()
    FROM locked
   WHERE p.id = locked.id AND locked.sku = $14 AND locked."categoryId" = $15 AND locked."categoryPath" = $16
  RETURNING p.*
),
outbox AS (
  INSERT INTO cache_outbox (footprint, purge_pending)
  SELECT CASE WHEN locked.version = $3 THEN $12::jsonb ELSE $17::jsonb END, $13 FROM changed, locked
  RETURNING id::text AS id
)
SELECT 'after' AS kind, ch.id, ch.sku, ch.name, ch.description, ch.brand, ch.price::text AS price, ch.stock, ch.popularity,
       ch.attributes, ch.image_url AS "imageUrl", ch.category_id AS "categoryId", ch.created_at AS "createdAt",
       ch.updated_at AS "updatedAt", NULL AS "categoryPath", NULL AS version, o.id AS "outboxId", l.version = $3 AS precise
  FROM changed ch, outbox o, locked l
UNION ALL
SELECT 'before', l.id, l.sku, l.name, l.description, l.brand, l.price, l.stock, l.popularity, l.attributes, NULL, l."categoryId",
       NULL, NULL, l."categoryPath", l.version, NULL, NULL
  FROM locked l`;

type Row = Omit<Product, "price"> & { kind: "after" | "before"; price: string; categoryPath: string; version: string; outboxId: string; precise: boolean };

/**
 * Applies `changes` (fields of `ONE_STATEMENT_FIELDS` only) to product `id`: the fresh row;
 * undefined when there is no such product; null when every try found its SKU or category changed
 * since its read (the caller then writes in a transaction).
 */
export async function updateInOneStatement(write: Writer, id: number, changes: Partial<ProductFields>): Promise<Product | undefined | null> {
  let before: VersionedFacts | undefined;
  let missing = false;
  for (let attempt = 0; attempt < TRIES && !missing; attempt += 1) {
    const written = await write.statement<Product>(async ({ query, columns, lockTimeoutMs }) => {
      before ??= await readFacts(query, id);
      if (!before) {
        missing = true;
        return null;
      }
      const after: ProductFacts = { ...before, ...changes, price: changes.price === undefined ? before.price : new Prisma.Decimal(changes.price) };
      const footprint = productUpdateFootprint(before, after, { before: before.categoryPath, after: before.categoryPath });
      const whateverBefore = productFieldsFootprint(after, Object.keys(changes), before.categoryPath);
      const rows = (await query(
        UPDATE,
        CATALOG_WRITE_LOCK_ID,
        id,
        before.version,
        changes.name ?? null,
        changes.description ?? null,
        changes.brand ?? null,
        changes.price ?? null,
        changes.stock ?? null,
        changes.popularity ?? null,
        changes.imageUrl !== undefined,
        changes.imageUrl ?? null,
        ...columns(footprint),
        before.sku,
        before.categoryId,
        before.categoryPath,
        columns(whateverBefore)[0],
        String(lockTimeoutMs),
      )) as Row[];
      const fresh = rows.find((row) => row.kind === "after");
      const locked = rows.find((row) => row.kind === "before");
      if (!fresh) {
        // Nothing written: the locked row's SKU or category is not the one read (the next try
        // computes from the locked row), or no row was locked (deleted, or moved: the lock's
        // recheck of the join drops a row whose category changed under it; the next try reads).
        before = locked && versionedFacts(locked);
        return null;
      }
      const { kind: _kind, categoryPath: _path, version: _version, outboxId, precise, ...product } = fresh;
      return { outcome: { result: { ...product, price: new Prisma.Decimal(product.price) }, footprint: precise ? footprint : whateverBefore }, outboxId };
    });
    if (written) return written.result;
  }
  return missing ? undefined : null;
}

async function readFacts(query: TransactionQuery, id: number): Promise<VersionedFacts | undefined> {
  const [row] = (await query(READ_FACTS, id)) as (Omit<VersionedFacts, "price"> & { price: string })[];
  return row && versionedFacts(row);
}

// The price as Prisma's Decimal, as the footprint compares it with the new one.
function versionedFacts(row: Omit<VersionedFacts, "price"> & { price: string }): VersionedFacts {
  return { id: row.id, sku: row.sku, name: row.name, description: row.description, brand: row.brand, price: new Prisma.Decimal(row.price), stock: row.stock, popularity: row.popularity, attributes: row.attributes, categoryId: row.categoryId, categoryPath: row.categoryPath, version: row.version };
}
