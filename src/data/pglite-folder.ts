import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { lockFolder } from "./folder-lock";

/**
 * Creates the embedded database in `dataDir` (PGlite runs initdb) when the folder holds none yet,
 * under the folder's lock, and closes it; returns whether it did. initdb is the costliest part of a
 * first start (about 12 CPU-seconds on this project's machine, against 3 to open a folder that
 * exists), and needs nothing of the gateway's but PGlite: `npm start` runs this (through
 * scripts/prepare-database.ts) while it generates the Prisma client, so the gateway then opens a
 * folder that is there. `memory://` and other URLs are left alone.
 */
export async function initializePgliteFolder(dataDir: string): Promise<boolean> {
  if (dataDir.includes("://") || existsSync(path.join(dataDir, "PG_VERSION"))) return false;
  await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
  const lock = lockFolder(dataDir);
  try {
    // An ES module: loaded with a real dynamic import (as src/data/database.ts does).
    const { PGlite } = await import("@electric-sql/pglite");
    const pg = await PGlite.create(dataDir);
    await pg.close();
    return true;
  } finally {
    lock.release();
  }
}
