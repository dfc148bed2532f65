import { existsSync } from "node:fs";
import path from "node:path";
import type { Database } from "../../src/data/database";
import type { CatalogReport } from "../../src/data/import/write-catalog";
import { seedGeneratedCatalog as seedGenerated } from "../../src/data/seed/seed-catalog";
import { SEED_FILES } from "../../src/data/seed/seed-on-start";

/** The Best Buy data set beside the clone (../shared/data); CI has it, a fresh checkout may not. */
export const sharedDataDir = path.resolve(__dirname, "../../../shared/data");

/** The data set's files, by their usual names. */
export const sharedDataFiles = {
  categoriesFile: path.join(sharedDataDir, SEED_FILES.categories),
  productsFile: path.join(sharedDataDir, SEED_FILES.products),
};

/** Whether both files of the data set are present. */
export function hasSharedData(): boolean {
  return existsSync(sharedDataFiles.categoriesFile) && existsSync(sharedDataFiles.productsFile);
}

/**
 * `describe` when the data set is present; otherwise the suite is skipped and the reason printed
 * (console.warn), so a missing folder shows up in the output instead of passing silently.
 */
export function describeWithSharedData(name: string, suite: () => void): void {
  if (hasSharedData()) return describe(name, suite);
  console.warn(`Skipping "${name}": the Best Buy data set is not at ${sharedDataDir} (expected ${Object.values(SEED_FILES).join(", ")})`);
  describe.skip(name, suite);
}

/** A small deterministic generated catalog, written through the real writer; defaults: seed 1. */
export function seedGeneratedCatalog(
  db: Pick<Database, "sql">,
  options: { products: number; categories: number; seed?: number },
): Promise<CatalogReport> {
  return seedGenerated(db, options);
}
