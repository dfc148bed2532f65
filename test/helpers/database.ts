import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { createDatabase, type Database } from "../../src/data/database";
import { migrate } from "../../src/data/migrator";

/** The machine's PostgreSQL server; TEST_PG_URL overrides it (the database name is replaced). */
export const testServerUrl = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase extends Database {
  url: string;
  /** Closes the connections and drops the database. */
  drop(): Promise<void>;
}

function urlFor(name: string): string {
  const url = new URL(testServerUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testServerUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated PostgreSQL database of its own, so each test file starts from a known state. */
export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  const name = `cg_${label}_${randomBytes(4).toString("hex")}`.toLowerCase();
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = urlFor(name);
  const db = await createDatabase({ kind: "postgres", url, poolSize: 5 });
  await migrate(db.sql);
  return {
    ...db,
    url,
    async drop() {
      await db.close();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
