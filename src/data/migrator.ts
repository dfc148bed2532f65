import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { SqlRunner } from "./database";

/** Where the SQL migrations live, in Prisma's layout: `<timestamp>_<name>/migration.sql`. */
export const defaultMigrationsDir = path.resolve(__dirname, "../../prisma/migrations");

// Any fixed number works; it only has to be the same for every gateway that migrates this database.
const MIGRATION_LOCK_ID = 7_204_117;

/**
 * Applies the migrations not yet applied, in name order, each in its own transaction, under an
 * advisory lock so that gateways starting together do not race. Prisma's own migrate command needs
 * an engine that cannot be downloaded here; the table is ours, not `_prisma_migrations`.
 * Returns the names it applied.
 */
export async function migrate(sql: SqlRunner, dir = defaultMigrationsDir): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return sql.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_ID]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS "_catalog_migrations" (
      "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const applied = new Map(
      (await tx.query<{ name: string; checksum: string }>(`SELECT "name", "checksum" FROM "_catalog_migrations"`)).map(
        (row) => [row.name, row.checksum],
      ),
    );
    const done: string[] = [];
    for (const name of names) {
      const text = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(text).digest("hex");
      const previous = applied.get(name);
      if (previous !== undefined) {
        if (previous !== checksum) throw new Error(`Migration ${name} was changed after it was applied`);
        continue;
      }
      await tx.exec(text);
      await tx.query(`INSERT INTO "_catalog_migrations" ("name", "checksum") VALUES ($1, $2)`, [name, checksum]);
      done.push(name);
    }
    return done;
  });
}
