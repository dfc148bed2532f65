import { access, readdir } from "node:fs/promises";
import path from "node:path";
import { lockCatalogExclusive } from "../catalog-lock";
import type { Database, SqlRunner } from "../database";
import type { ProgressListener } from "../import/catalog-writer";
import { importBestBuySource, readBestBuySource } from "../import/import-catalog";
import { writeCatalog, type CatalogReport } from "../import/write-catalog";
import { generateCatalog } from "./generator";

/** File names of the Best Buy data set inside a seed folder. */
export const SEED_FILES = { categories: "bestbuy-categories.json", products: "bestbuy-cellphones-products.json" } as const;

/**
 * Seeds an empty catalog on first start: the real Best Buy data from `seed.dir` when given (both
 * SEED_FILES must be there), else a generated catalog of `seed.products` / `seed.categories`. A
 * seed folder that is missing or empty (docker-compose.yml's volume where ../shared/data does not
 * exist: Docker mounts an empty folder) seeds the generated catalog, and `log` says so; one that
 * holds a single file of the two fails the start, naming the other.
 * "Empty" means no category at all; anything else is left alone ("skipped"). The check and the
 * write share one transaction under the catalog write lock, so gateways starting together seed once.
 * A seed folder given for a database that already holds a catalog is ignored, and `log` says so
 * and how to load it anyway. `onProgress` hears each batch written (categories, then products).
 * Works on PostgreSQL and on PGlite.
 */
export async function seedIfEmpty(
  db: Pick<Database, "sql">,
  seed: { dir?: string; products: number; categories: number },
  log: (msg: string) => void,
  onProgress?: ProgressListener,
): Promise<"real" | "generated" | "skipped"> {
  const started = performance.now();
  const files = seed.dir ? await seedFiles(seed.dir) : null;
  const emptySeedDir = seed.dir !== undefined && files === null;
  return db.sql.transaction(async (outer) => {
    const tx = takingTurns(outer);
    await lockCatalogExclusive(tx);
    if (await hasCategories(tx)) {
      if (seed.dir) log(ignoredSeedDir(seed.dir));
      return "skipped";
    }
    if (files) {
      const report = await importBestBuySource(tx, await readBestBuySource(files), onProgress);
      log(summary(`the Best Buy catalog from ${seed.dir}`, report, started));
      return "real";
    }
    if (emptySeedDir) log(`CATALOG_SEED_DIR=${seed.dir} is missing or empty (no ${SEED_FILES.categories}, no ${SEED_FILES.products}): seeding the generated catalog instead`);
    const report = await writeCatalog(tx, generateCatalog({ products: seed.products, categories: seed.categories }), onProgress);
    log(summary(`a generated catalog (${seed.categories} categories, ${seed.products} products)`, report, started));
    return "generated";
  });
}

/**
 * The transaction with a turn of the event loop before each statement. PGlite answers in
 * microtasks, so a seed of thousands of rows would otherwise hold the loop from start to end: no
 * `/health`, no `/ready` (which is where the seed's n/N shows) until it is done.
 */
function takingTurns(sql: SqlRunner): SqlRunner {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    exec: async (text) => turn().then(() => sql.exec(text)),
    query: async (text, params) => turn().then(() => sql.query(text, params)),
    transaction: (work) => sql.transaction(work),
  };
}

function ignoredSeedDir(dir: string): string {
  return (
    `CATALOG_SEED_DIR=${dir} is ignored: the database already holds a catalog, and the seed only fills an empty one. ` +
    `To load these files into it, run \`npm run import -- --dir ${dir}\` (an upsert: existing products are updated), ` +
    `or start on an empty database (for the embedded one, remove its folder).`
  );
}

async function hasCategories(sql: SqlRunner): Promise<boolean> {
  const [row] = await sql.query<{ found: boolean }>("SELECT EXISTS (SELECT 1 FROM categories) AS found");
  return row.found;
}

/** The data set's two files in `dir`; null when the folder is missing or holds neither of them. */
async function seedFiles(dir: string): Promise<{ categoriesFile: string; productsFile: string } | null> {
  const categoriesFile = path.resolve(dir, SEED_FILES.categories);
  const productsFile = path.resolve(dir, SEED_FILES.products);
  const names = await readdir(dir).catch(() => [] as string[]);
  if (!names.includes(SEED_FILES.categories) && !names.includes(SEED_FILES.products)) return null;
  for (const file of [categoriesFile, productsFile]) {
    await access(file).catch(() => {
      throw new Error(`The catalog seed folder ${JSON.stringify(dir)} must hold ${path.basename(file)}; ${file} is missing`);
    });
  }
  return { categoriesFile, productsFile };
}

function summary(what: string, report: CatalogReport, started: number): string {
  const rejected = report.rejections.length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return (
    `Seeded ${what}: ${report.categories.created} categories, ${report.products.created} products` +
    `${rejected > 0 ? ` (${rejected} records rejected)` : ""} in ${seconds} s`
  );
}
