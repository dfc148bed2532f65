import type { SqlRunner } from "../database";
import type { AttributeDefinition } from "./attribute-validation";
import type { AttributeDefinitionInput, CategoryInput, ProductInput, Rejection, UpsertCounts } from "./catalog-input";
import { newCategoryCount, planCategories, type CategoryRow } from "./category-plan";

/**
 * Batched, idempotent writes of the catalog through a `SqlRunner` (PostgreSQL or PGlite). Each
 * statement carries up to WRITE_BATCH_ROWS rows as arrays unnested server-side, so a batch is one
 * round trip whatever its size and never hits the 65,535-parameter limit. None of these functions
 * opens a transaction: the caller holds one (a nested `transaction` on PGlite would wait for itself).
 */

/** Rows per INSERT/UPDATE statement. */
export const WRITE_BATCH_ROWS = 2000;

/** Reports how far a phase has come; `done` and `total` count records. */
export type ProgressListener = (progress: { phase: "categories" | "products"; done: number; total: number }) => void;

/** A product placed in a category by id, ready to write. */
export interface ProductRecord extends ProductInput {
  categoryId: number;
}

/** An attribute definition placed on a category by id, ready to write. */
export interface DefinitionRecord extends Omit<AttributeDefinitionInput, "categoryExternalId"> {
  categoryId: number;
}

/** Every category, parents before children. */
export async function loadCategoryRows(sql: SqlRunner): Promise<CategoryRow[]> {
  return sql.query<CategoryRow>(
    `SELECT id, external_id AS "externalId", name, slug, parent_id AS "parentId", path, depth FROM categories ORDER BY depth, id`,
  );
}

/** Upserts categories by external id (see `planCategories`); returns the counts and every category after the write. */
export async function upsertCategories(
  sql: SqlRunner,
  inputs: readonly CategoryInput[],
  onProgress?: ProgressListener,
): Promise<{ counts: UpsertCounts; rejections: Rejection[]; rows: CategoryRow[] }> {
  const existing = await loadCategoryRows(sql);
  const newIds = await reserveCategoryIds(sql, newCategoryCount(existing, inputs));
  const plan = planCategories(existing, inputs, newIds);
  const total = plan.inserts.length + plan.updates.length;
  let done = 0;
  for (const batch of chunks(plan.inserts)) {
    await sql.query(
      `INSERT INTO categories (id, external_id, name, slug, parent_id, path, depth)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[])`,
      columns(batch, ["id", "externalId", "name", "slug", "parentId", "path", "depth"]),
    );
    onProgress?.({ phase: "categories", done: (done += batch.length), total });
  }
  for (const batch of chunks(plan.updates)) {
    await sql.query(
      `UPDATE categories AS c
          SET name = v.name, parent_id = v.parent_id, path = v.path, depth = v.depth, updated_at = now()
         FROM unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::int[]) AS v(id, name, parent_id, path, depth)
        WHERE c.id = v.id`,
      columns(batch, ["id", "name", "parentId", "path", "depth"]),
    );
    onProgress?.({ phase: "categories", done: (done += batch.length), total });
  }
  const counts = { created: plan.inserts.length, updated: plan.updates.length, unchanged: plan.unchanged, rejected: plan.rejections.length };
  return { counts, rejections: plan.rejections, rows: plan.rows };
}

// Ids come from the table's own sequence, so rows inserted later by the API never collide with them.
async function reserveCategoryIds(sql: SqlRunner, count: number): Promise<number[]> {
  if (count === 0) return [];
  const rows = await sql.query<{ id: number }>(
    `SELECT nextval(pg_get_serial_sequence('categories', 'id'))::int AS id FROM generate_series(1, $1::int)`,
    [count],
  );
  return rows.map((row) => row.id);
}

/** Upserts definitions by (category, name); a definition that is already the same is counted unchanged. */
export async function upsertAttributeDefinitions(sql: SqlRunner, definitions: readonly DefinitionRecord[]): Promise<UpsertCounts> {
  const counts: UpsertCounts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  for (const batch of chunks(definitions)) {
    const [written] = await sql.query<{ created: number; updated: number }>(
      `WITH written AS (
         INSERT INTO attribute_definitions AS d (category_id, name, type, required, allowed_values, unit)
         SELECT v.category_id, v.name, v.type::attribute_type, v.required,
                ARRAY(SELECT jsonb_array_elements_text(v.allowed_values::jsonb)), v.unit
           FROM unnest($1::int[], $2::text[], $3::text[], $4::bool[], $5::text[], $6::text[])
             AS v(category_id, name, type, required, allowed_values, unit)
         ON CONFLICT (category_id, name) DO UPDATE
            SET type = EXCLUDED.type, required = EXCLUDED.required, allowed_values = EXCLUDED.allowed_values, unit = EXCLUDED.unit
          WHERE (d.type, d.required, d.allowed_values, d.unit) IS DISTINCT FROM
                (EXCLUDED.type, EXCLUDED.required, EXCLUDED.allowed_values, EXCLUDED.unit)
         RETURNING (xmax = 0) AS inserted)
       SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`,
      [
        batch.map((d) => d.categoryId),
        batch.map((d) => d.name),
        batch.map((d) => d.type),
        batch.map((d) => d.required),
        batch.map((d) => JSON.stringify(d.allowedValues)),
        batch.map((d) => d.unit),
      ],
    );
    addWritten(counts, written, batch.length);
  }
  return counts;
}

/** Every attribute definition, by the id of the category that holds it. */
export async function loadAttributeDefinitions(sql: SqlRunner): Promise<Map<number, AttributeDefinition[]>> {
  const rows = await sql.query<AttributeDefinition & { categoryId: number }>(
    `SELECT category_id AS "categoryId", name, type::text AS type, required, allowed_values AS "allowedValues", unit
       FROM attribute_definitions ORDER BY category_id, name`,
  );
  const byCategory = new Map<number, AttributeDefinition[]>();
  for (const { categoryId, ...definition } of rows) {
    const list = byCategory.get(categoryId);
    if (list) list.push(definition);
    else byCategory.set(categoryId, [definition]);
  }
  return byCategory;
}

/**
 * Upserts products by SKU. An update sets updated_at = now() and happens only when a column
 * differs, so a re-import of the same file reports every product unchanged and touches no row.
 * SKUs must be unique within `products` (one statement may not update a row twice).
 */
export async function upsertProducts(sql: SqlRunner, products: readonly ProductRecord[], onProgress?: ProgressListener): Promise<UpsertCounts> {
  const counts: UpsertCounts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  let done = 0;
  for (const batch of chunks(products)) {
    const [written] = await sql.query<{ created: number; updated: number }>(UPSERT_PRODUCTS, productColumns(batch));
    addWritten(counts, written, batch.length);
    onProgress?.({ phase: "products", done: (done += batch.length), total: products.length });
  }
  return counts;
}

// category_text (the search document's category path) is computed once per category of the batch,
// not by the row trigger once per product (see migration 20261201100000_search_category_text_bulk);
// on a conflict, the update trigger recomputes it when category_id changes.
const UPSERT_PRODUCTS = `
  WITH paths AS (
    SELECT c.id, category_path_text(c.path) AS text FROM categories c WHERE c.id = ANY($10::int[])),
  written AS (
    INSERT INTO products AS p
      (sku, name, description, brand, price, stock, popularity, attributes, image_url, category_id, category_text, created_at, updated_at)
    SELECT v.sku, v.name, v.description, v.brand, v.price, v.stock, v.popularity, v.attributes::jsonb, v.image_url,
           v.category_id, COALESCE(paths.text, ''), COALESCE(v.created_at, now()), COALESCE(v.created_at, now())
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::int[], $7::int[], $8::text[],
                  $9::text[], $10::int[], $11::timestamptz[])
        AS v(sku, name, description, brand, price, stock, popularity, attributes, image_url, category_id, created_at)
      LEFT JOIN paths ON paths.id = v.category_id
    ON CONFLICT (sku) DO UPDATE
       SET name = EXCLUDED.name, description = EXCLUDED.description, brand = EXCLUDED.brand, price = EXCLUDED.price,
           stock = EXCLUDED.stock, popularity = EXCLUDED.popularity, attributes = EXCLUDED.attributes,
           image_url = EXCLUDED.image_url, category_id = EXCLUDED.category_id, updated_at = now()
     WHERE (p.name, p.description, p.brand, p.price, p.stock, p.popularity, p.attributes, p.image_url, p.category_id)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.brand, EXCLUDED.price, EXCLUDED.stock,
                             EXCLUDED.popularity, EXCLUDED.attributes, EXCLUDED.image_url, EXCLUDED.category_id)
    -- xmax is 0 on a freshly inserted row version and set on one that ON CONFLICT updated.
    RETURNING (xmax = 0) AS inserted)
  SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`;

function productColumns(batch: readonly ProductRecord[]): unknown[] {
  return [
    batch.map((p) => p.sku),
    batch.map((p) => p.name),
    batch.map((p) => p.description),
    batch.map((p) => p.brand),
    batch.map((p) => p.price),
    batch.map((p) => p.stock),
    batch.map((p) => p.popularity),
    batch.map((p) => JSON.stringify(p.attributes)),
    batch.map((p) => p.imageUrl),
    batch.map((p) => p.categoryId),
    batch.map((p) => p.createdAt ?? null),
  ];
}

function addWritten(counts: UpsertCounts, written: { created: number; updated: number } | undefined, batchSize: number): void {
  const created = Number(written?.created ?? 0);
  const updated = Number(written?.updated ?? 0);
  counts.created += created;
  counts.updated += updated;
  counts.unchanged += batchSize - created - updated;
}

function columns<T>(rows: readonly T[], keys: (keyof T)[]): unknown[] {
  return keys.map((key) => rows.map((row) => row[key]));
}

function* chunks<T>(items: readonly T[], size = WRITE_BATCH_ROWS): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
