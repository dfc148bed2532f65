import { hashArgs } from "../../cache/keys";
import { lockCatalogShared } from "../../data/catalog-lock";
import type { SqlRunner } from "../../data/database";
import { attributeIssues } from "../../data/import/attribute-validation";
import { upsertProducts } from "../../data/import/catalog-writer";
import { BadUserInputError } from "../../errors";
import type { ImportMode, ImportRowStatus, ProductInput } from "../../generated/graphql";
import { definitionsResolver } from "../shared/catalog-checks";
import { productImportFootprint } from "../shared/footprints";
import type { Tx, Writer } from "../shared/writer";
import { parseCreateProduct, type ProductFields } from "./product-input";
import type { ProductChangeListener } from "./product.service";

/** Most rows one importProducts call takes. */
export const MAX_IMPORT_ROWS = 10_000;

export interface ImportRowResult {
  index: number;
  sku: string;
  status: ImportRowStatus;
  productId: number | null;
  reason: string | null;
  field: string | null;
}

export interface ProductImportReport {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  committed: boolean;
  rows: ImportRowResult[];
}

interface Existing {
  id: number;
  sku: string;
  path: string;
  fingerprint: string;
}

// What an upsert compares: a row whose fingerprint is unchanged is reported UNCHANGED (and the
// upsert leaves it alone, updated_at included).
function fingerprint(fields: Omit<ProductFields, "sku" | "createdAt">): string {
  return hashArgs([fields.name, fields.description, fields.brand, Number(fields.price).toFixed(2), fields.stock, fields.popularity, fields.attributes, fields.imageUrl, fields.categoryId]);
}

// A SqlRunner over Prisma's transaction, so the batched writer of the importer runs inside it.
function runnerOf(tx: Tx): SqlRunner {
  const runner: SqlRunner = {
    exec: async (sql) => void (await tx.$executeRawUnsafe(sql)),
    query: async <T>(sql: string, params: unknown[] = []) => (await tx.$queryRawUnsafe(sql, ...params)) as T[],
    transaction: (work) => work(runner),
  };
  return runner;
}

/**
 * importProducts: every row validated like createProduct (fields, category, attributes, SKU unique
 * within the call), then the valid rows upserted by SKU in batched statements inside one
 * transaction with one footprint. SKIP_INVALID writes the valid rows; ALL_OR_NOTHING writes none if
 * any row is rejected.
 */
export function createProductImportService(write: Writer, listener?: ProductChangeListener) {
  return async function importProducts(rows: readonly ProductInput[], mode: ImportMode): Promise<ProductImportReport> {
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new BadUserInputError(`rows takes at most ${MAX_IMPORT_ROWS} rows per call, got ${rows.length}`, "rows");
    }
    const results: ImportRowResult[] = rows.map((row, index) => ({ index, sku: row.sku, status: "CREATED", productId: null, reason: null, field: null }));
    const reject = (index: number, reason: string, field: string) => Object.assign(results[index], { status: "REJECTED", reason, field });
    const valid = new Map<number, ProductFields>();
    const seen = new Map<string, number>();
    rows.forEach((row, index) => {
      try {
        const fields = parseCreateProduct(row, `rows[${index}]`);
        const first = seen.get(fields.sku);
        if (first !== undefined) return reject(index, `SKU ${JSON.stringify(fields.sku)} already appears in row ${first}`, `rows[${index}].sku`);
        seen.set(fields.sku, index);
        valid.set(index, fields);
      } catch (error) {
        if (!(error instanceof BadUserInputError)) throw error;
        reject(index, error.message, String(error.extensions.field));
      }
    });

    const { result: committed } = await write(async (tx) => {
      await lockCatalogShared(tx);
      const records = [...valid.values()];
      const categories = new Map(
        (await tx.category.findMany({ where: { id: { in: [...new Set(records.map((r) => r.categoryId))] } }, select: { id: true, path: true } })).map((c) => [c.id, c.path]),
      );
      const definitions = await definitionsResolver(tx, [...categories.values()]);
      for (const [index, fields] of valid) {
        const path = categories.get(fields.categoryId);
        if (path === undefined) {
          reject(index, `category ${fields.categoryId} was not found`, `rows[${index}].categoryId`);
        } else {
          const [issue] = attributeIssues(fields.attributes, definitions(path));
          if (issue) reject(index, issue.message, `rows[${index}].attributes${issue.attribute ? `.${issue.attribute}` : ""}`);
        }
        if (results[index].status === "REJECTED") valid.delete(index);
      }
      const rejected = results.some((row) => row.status === "REJECTED");
      if (mode === "ALL_OR_NOTHING" && rejected) {
        for (const index of valid.keys()) results[index].status = "SKIPPED";
        return { result: false, footprint: {} };
      }
      const existing = await existingBySku(tx, [...valid.values()].map((r) => r.sku));
      for (const [index, fields] of valid) {
        const before = existing.get(fields.sku);
        if (before) {
          results[index].productId = before.id;
          results[index].status = before.fingerprint === fingerprint(fields) ? "UNCHANGED" : "UPDATED";
        }
      }
      const toWrite = [...valid].filter(([index]) => results[index].status !== "UNCHANGED").map(([, fields]) => fields);
      if (toWrite.length === 0) return { result: true, footprint: {} };
      await upsertProducts(runnerOf(tx), toWrite);
      const ids = new Map((await tx.product.findMany({ where: { sku: { in: toWrite.map((r) => r.sku) } }, select: { id: true, sku: true } })).map((p) => [p.sku, p.id]));
      for (const [index, fields] of valid) results[index].productId ??= ids.get(fields.sku) ?? null;
      const written = toWrite.map((r) => ({
        id: ids.get(r.sku)!,
        sku: r.sku,
        categoryPath: categories.get(r.categoryId)!,
        previousCategoryPath: existing.get(r.sku)?.path ?? null,
      }));
      return { result: true, footprint: productImportFootprint(written) };
    });

    const changed = results.filter((row) => row.status === "CREATED" || row.status === "UPDATED").map((row) => row.productId!);
    if (committed && changed.length) await listener?.productsChanged(changed);
    const count = (status: ImportRowStatus) => results.filter((row) => row.status === status).length;
    return {
      created: committed ? count("CREATED") : 0,
      updated: committed ? count("UPDATED") : 0,
      unchanged: committed ? count("UNCHANGED") : 0,
      rejected: count("REJECTED"),
      committed,
      rows: results.map((row) => (committed || row.status === "REJECTED" ? row : { ...row, status: "SKIPPED" as const })),
    };
  };
}

export type ProductImportService = ReturnType<typeof createProductImportService>;

async function existingBySku(tx: Tx, skus: string[]): Promise<Map<string, Existing>> {
  // Row locks (in SKU order, so two imports cannot deadlock): a concurrent updateProduct of one of
  // these products commits before or after this import, never between the read of its category
  // (which the footprint uses) and the upsert.
  await tx.$executeRaw`SELECT 1 FROM products WHERE sku = ANY(${skus}::text[]) ORDER BY sku FOR UPDATE`;
  const rows = await tx.product.findMany({ where: { sku: { in: skus } }, include: { category: { select: { path: true } } } });
  return new Map(
    rows.map((row) => [
      row.sku,
      {
        id: row.id,
        sku: row.sku,
        path: row.category.path,
        fingerprint: fingerprint({ ...row, price: row.price.toString(), attributes: row.attributes as ProductFields["attributes"] }),
      },
    ]),
  );
}
