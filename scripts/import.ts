import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config";
import { createDatabase } from "../src/data/database";
import { importCatalog } from "../src/data/import/import-catalog";
import { formatReport } from "../src/data/import/report";
import { migrate } from "../src/data/migrator";
import { runCli, stderrProgress } from "./cli-support";

const USAGE = `Imports the Best Buy data set into the configured database (DATABASE_URL, else PGlite in PGLITE_DATA_DIR).

  npm run import -- --categories ../shared/data/bestbuy-categories.json --products ../shared/data/bestbuy-cellphones-products.json
  npm run import -- --dir ../shared/data        (both files, by their usual names)

Upserts categories by Best Buy id and products by SKU: a second run creates nothing.`;

runCli(async () => {
  const { values } = parseArgs({
    options: { categories: { type: "string" }, products: { type: "string" }, dir: { type: "string" }, help: { type: "boolean" } },
  });
  const categoriesFile = values.categories ?? (values.dir && path.join(values.dir, "bestbuy-categories.json"));
  const productsFile = values.products ?? (values.dir && path.join(values.dir, "bestbuy-cellphones-products.json"));
  if (values.help || (!categoriesFile && !productsFile)) {
    process.stdout.write(`${USAGE}\n`);
    if (!values.help) throw new Error("Nothing to import: pass --categories, --products or --dir");
    return;
  }
  const db = await createDatabase(loadConfig().database);
  const progress = stderrProgress();
  try {
    await migrate(db.sql);
    const report = await importCatalog(db, {
      categoriesFile: categoriesFile && path.resolve(categoriesFile),
      productsFile: productsFile && path.resolve(productsFile),
      onProgress: progress.onProgress,
    });
    progress.done();
    process.stdout.write(`${formatReport(report)}\n`);
  } finally {
    await db.close();
  }
});
