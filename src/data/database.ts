import { PrismaPg } from "@prisma/adapter-pg";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Pool } from "pg";
import { PrismaClient } from "../generated/prisma/client";
import { lockFolder } from "./folder-lock";
import { listenForNotifications, type ListenOptions, type NotificationListener } from "./notifications";

/** Runs SQL outside Prisma: multi-statement scripts (migrations) and maintenance statements. */
export interface SqlRunner {
  /** Runs a script of one or more statements, without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs one parameterized statement and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/** Counts SQL statements sent through Prisma, for tests, metrics and the cache trace. */
export interface SqlCounter {
  statements: number;
}

export interface Database {
  kind: "postgres" | "pglite";
  prisma: PrismaClient;
  sql: SqlRunner;
  counter: SqlCounter;
  /**
   * LISTEN on a connection of its own (PostgreSQL only: an embedded database has one process, so
   * there is nobody to hear from).
   */
  listen?(options: ListenOptions): Promise<NotificationListener>;
  close(): Promise<void>;
}

/** Which database to open: PostgreSQL (DATABASE_URL, DATABASE_POOL_SIZE) or PGlite in a folder (PGLITE_DATA_DIR). */
export type DatabaseConfig =
  | { kind: "postgres"; url: string; poolSize: number; connectTimeoutMs?: number }
  | { kind: "pglite"; dataDir: string };

/** Opens the configured database: PostgreSQL through a pg pool, or PGlite with pgvector. */
export async function createDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === "postgres" ? openPostgres(config.url, config.poolSize, config.connectTimeoutMs) : openPglite(config.dataDir);
}

type AdapterFactory = NonNullable<ConstructorParameters<typeof PrismaClient>[0]["adapter"]>;

/** A Prisma client over `adapter` whose every statement is counted through its query event (both drivers, and read replicas). */
export function countingClient(adapter: AdapterFactory): { prisma: PrismaClient; counter: SqlCounter } {
  const counter: SqlCounter = { statements: 0 };
  const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  prisma.$on("query", () => {
    counter.statements += 1;
  });
  return { prisma: prisma as unknown as PrismaClient, counter };
}

// A server that does not answer (frozen, dropped packets) must cost a request seconds, not forever.
async function openPostgres(url: string, poolSize: number, connectTimeoutMs = 5000): Promise<Database> {
  const pool = new Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: connectTimeoutMs });
  // An idle connection that drops (a PostgreSQL restart, a terminated backend) emits an error on the
  // pool; without a listener that would crash the process. The pool replaces it on the next query.
  pool.on("error", () => undefined);
  const { prisma, counter } = countingClient(new PrismaPg(pool));
  const sql: SqlRunner = {
    async exec(text) {
      await pool.query(text);
    },
    async query(text, params) {
      return (await pool.query(text, params as unknown[])).rows;
    },
    async transaction(work) {
      const client = await pool.connect();
      const tx: SqlRunner = {
        exec: async (text) => void (await client.query(text)),
        query: async (text, params) => (await client.query(text, params as unknown[])).rows,
        transaction: (inner) => inner(tx),
      };
      try {
        await client.query("BEGIN");
        const result = await work(tx);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
  return {
    kind: "postgres",
    prisma,
    sql,
    counter,
    listen: (options) => listenForNotifications(url, options),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  // PGlite and its pgvector extension are ES modules: load them with a real dynamic import.
  const { PGlite } = await import("@electric-sql/pglite");
  const { vector } = await import("@electric-sql/pglite-pgvector");
  // pg_trgm: typo-tolerant search (migration 20261130100000_search_relevance creates it).
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  // PGlite creates its own folder but not the folders above it.
  const onDisk = !dataDir.includes("://");
  if (onDisk) await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
  // Before PGlite reads anything: a second process on the folder would corrupt it.
  const lock = onDisk ? lockFolder(dataDir) : null;
  let pg;
  try {
    pg = await PGlite.create(dataDir, { extensions: { vector, pg_trgm } });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const { prisma, counter } = countingClient(new PrismaPGlite(pg));
  // Inside a transaction, `transaction` joins it (as on PostgreSQL): PGlite's own would wait forever
  // for the connection the outer transaction holds.
  const wrap = (db: Pick<typeof pg, "exec" | "query">, inTransaction: boolean): SqlRunner => {
    const runner: SqlRunner = {
      exec: async (text) => void (await db.exec(text)),
      query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params as unknown[])).rows,
      transaction: (work) => (inTransaction ? work(runner) : pg.transaction((tx) => work(wrap(tx, true)))),
    };
    return runner;
  };
  return {
    kind: "pglite",
    prisma,
    sql: wrap(pg, false),
    counter,
    async close() {
      await prisma.$disconnect();
      await pg.close();
      lock?.release();
    },
  };
}

// Connection-level failures: the server cannot be reached, went away, or refuses connections now.
const unreachableCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EPIPE", "EAI_AGAIN"]);
// Prisma's: can't reach (P1001), timed out (P1002), closed the connection (P1017), pool timeout (P2024).
const prismaUnavailable = new Set(["P1001", "P1002", "P1017", "P2024"]);
// SQLSTATE class 08 (connection exception) and 57P01-57P03 (shutdown, crash, cannot connect now).
const sqlStateUnavailable = /^(08...|57P0[123])$/;

/**
 * Whether `error` (or an error it wraps) says the database is unreachable rather than that the
 * statement was wrong: the request may then be answered SERVICE_UNAVAILABLE, and nothing was written.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    // `thrownValue`: graphql-js wraps a thrown value that is not an Error (of its realm: a driver's error under a test's VM context) in NonErrorThrown.
    const { code, kind, message, cause, originalError, meta, errors, thrownValue } = current as Record<string, unknown>;
    if (typeof code === "string" && (unreachableCodes.has(code) || prismaUnavailable.has(code) || sqlStateUnavailable.test(code))) return true;
    if (kind === "DatabaseNotReachable" || kind === "ConnectionClosed" || kind === "SocketTimeout") return true;
    if (typeof message === "string" && /Connection terminated|connection timeout|Can't reach database server/i.test(message)) return true;
    pending.push(cause, originalError, thrownValue, meta, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return false;
}
