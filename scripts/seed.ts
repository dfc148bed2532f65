import { parseArgs } from "node:util";
import { loadConfig } from "../src/config";
import { createDatabase } from "../src/data/database";
import { migrate } from "../src/data/migrator";
import { formatReport } from "../src/data/import/report";
import { DEFAULT_SEED } from "../src/data/seed/generator";
import { seedGeneratedCatalog } from "../src/data/seed/seed-catalog";
import { intFlag, runCli, stderrProgress } from "./cli-support";

const USAGE = `Writes a generated catalog into the configured database (DATABASE_URL, else PGlite in PGLITE_DATA_DIR).

  npm run seed -- --products 100000 --categories 1000 --seed 1

Defaults: SEED_PRODUCTS / SEED_CATEGORIES of the configuration (5000 / 200), seed ${DEFAULT_SEED}.
The same flags always give the same catalog; running it twice changes nothing.`;

runCli(async () => {
  const { values } = parseArgs({
    options: { products: { type: "string" }, categories: { type: "string" }, seed: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const config = loadConfig();
  const options = {
    products: intFlag("products", values.products, config.seed.products),
    categories: intFlag("categories", values.categories, config.seed.categories, 1),
    seed: intFlag("seed", values.seed, DEFAULT_SEED),
  };
  const db = await createDatabase(config.database);
  const progress = stderrProgress();
  try {
    await migrate(db.sql);
    const report = await seedGeneratedCatalog(db, options, progress.onProgress);
    progress.done();
    process.stdout.write(`${formatReport(report)}\n`);
  } finally {
    await db.close();
  }
});
