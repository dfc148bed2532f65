import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { createDatabase, type Database } from "../../src/data/database";
import { migrate } from "../../src/data/migrator";
import { until } from "./redis-server";

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

/** Whether every invalidation in `db`'s outbox has landed within 10 s (a seed's are replayed in the background). */
export async function outboxDrained(db: Database): Promise<boolean> {
  const pending = async () => (await db.sql.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM cache_outbox WHERE applied_at IS NULL`))[0].pending;
  return until(async () => (await pending()) === 0, 10_000);
}
