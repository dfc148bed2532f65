import type { Database } from "../database";
import type { ProgressListener } from "../import/catalog-writer";
import { writeCatalog, type CatalogReport } from "../import/write-catalog";
import { generateCatalog, type GeneratorOptions } from "./generator";

/**
 * Generates a catalog (see `generateCatalog`) and writes it in one transaction through the same
 * batched writer as the import; idempotent: the same options a second time change nothing.
 */
export async function seedGeneratedCatalog(db: Pick<Database, "sql">, options: GeneratorOptions, onProgress?: ProgressListener): Promise<CatalogReport> {
  const started = performance.now();
  const catalog = generateCatalog(options);
  const report = await db.sql.transaction((tx) => writeCatalog(tx, catalog, onProgress));
  return { ...report, durationMs: performance.now() - started };
}
