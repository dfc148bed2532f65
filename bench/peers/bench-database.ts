import { existsSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { createDatabase, type Database } from "../../src/data/database";
import { migrate } from "../../src/data/migrator";
import { seedIfEmpty } from "../../src/data/seed/seed-on-start";
import { repoRoot } from "../gateway-process";

/** Which catalog the bench loads: the generator's, or the real Best Buy data in ../shared/data. */
export interface BenchCatalog {
  real: boolean;
  products: number;
  categories: number;
  /** The database's name instead of the catalog's (`--database`), e.g. a copy of one's own that no other bench writes to. */
  name?: string;
}

/**
 * The bench's database, named after its catalog and kept between runs (as bench/run.ts names it, so
 * both benches share it): created, migrated and seeded when missing. Returns its URL and an open handle.
 */
export async function openBenchDatabase(serverUrl: string, catalog: BenchCatalog): Promise<{ url: string; db: Database }> {
  const sharedData = path.resolve(repoRoot, "../shared/data");
  if (catalog.real && !existsSync(sharedData)) throw new Error(`--catalog real needs the Best Buy data in ${sharedData}`);
  const name = catalog.name ?? (catalog.real ? "cg_bench_real" : `cg_bench_gen_${catalog.products}_${catalog.categories}`);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount! > 0;
    if (!exists) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await createDatabase({ kind: "postgres", url: url.toString(), poolSize: 4 });
  await migrate(db.sql);
  await seedIfEmpty(
    db,
    { dir: catalog.real ? sharedData : undefined, products: catalog.products, categories: catalog.categories },
    (message) => console.log(message),
  );
  return { url: url.toString(), db };
}
