import { PrismaPg } from "@prisma/adapter-pg";
import { Pool } from "pg";
import type { PrismaClient } from "../generated/prisma/client";
import { countingClient, type SqlCounter, type SqlRunner } from "./database";
import { defaultReadReplicaOptions, type ReadReplicasOptions } from "./read-replica-options";
import { createCategoryRepository, type CategoryRepository } from "./repositories/category-repository";
import { createProductRepository, type ProductRepository } from "./repositories/product-repository";
import { createStatsRepository, type StatsRepository } from "./repositories/stats-repository";

export { defaultReadReplicaOptions, type ReadReplicasOptions } from "./read-replica-options";

/**
 * PostgreSQL read replicas for cache fills (DATABASE_REPLICA_URLS). This module knows where each
 * replica has replayed to; whether that is far enough for a fill is decided by the cache
 * (src/cache/replica-fills.ts), from the marks each write leaves (src/cache/replica-marks.ts).
 *
 * Positions are WAL LSNs written as 16 upper-case hex digits (`walPosition`), so that comparing
 * two of them is comparing strings, in JavaScript and in a Redis script alike.
 */

/** The reads a cache fill makes, bound to one database (the primary or a replica). */
export interface ReadRepositories {
  categories: CategoryRepository;
  products: ProductRepository;
  statistics: StatsRepository;
}

/** The repositories of the fills over `prisma`. */
export function createReadRepositories(prisma: PrismaClient): ReadRepositories {
  return {
    categories: createCategoryRepository(prisma),
    products: createProductRepository(prisma),
    statistics: createStatsRepository(prisma),
  };
}

/** An LSN as PostgreSQL prints it ("16/B374D848") as 16 upper-case hex digits ("00000016B374D848"). */
export function walPosition(lsn: string): string {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!match) throw new Error(`Not a PostgreSQL LSN: ${JSON.stringify(lsn)}`);
  return `${match[1].toUpperCase().padStart(8, "0")}${match[2].toUpperCase().padStart(8, "0")}`;
}

/**
 * The primary's WAL insert position now. Read after a write's COMMIT returned, it is past the end
 * of that COMMIT record (inserted before COMMIT returns, whatever synchronous_commit says), so a
 * replica whose replay position reaches it shows the write. `pg_current_wal_insert_lsn()` read
 * inside the write's transaction would not do: the COMMIT record comes after it, and a replica
 * there has replayed the changes but not the commit, so they are not visible yet.
 * `pg_current_wal_lsn()` after commit would not always do either: with synchronous_commit off it
 * may still be before the COMMIT record, which is written later.
 */
export async function primaryWalPosition(sql: SqlRunner): Promise<string> {
  const [row] = await sql.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn");
  return walPosition(row.lsn);
}

/** One read replica: its fills' repositories and the statements sent to it. */
export interface ReadReplica {
  /** `replica-<n>` in DATABASE_REPLICA_URLS order (from 0); URLs may hold passwords, names do not. */
  readonly name: string;
  readonly repositories: ReadRepositories;
  readonly counter: SqlCounter;
}

/** Why a fill read the primary although replicas are configured. */
export type PrimaryReason = "lagging" | "down";

/** Where a fill may read: a replica, or the primary with the reason. */
export type ReplicaChoice = { replica: ReadReplica } | { replica: null; reason: PrimaryReason };

export interface ReadReplicas {
  readonly replicas: readonly ReadReplica[];
  /** Replay positions asked of the replicas since start (at most one per replica per `positionTtlMs`). */
  readonly positionQueries: number;
  /**
   * A replica whose replay position is at least `required` (null: any replica that answers), else
   * why none is. A replica's position is asked at most once per `positionTtlMs` (concurrent fills
   * share the question), while `required` is still on its way; a position read earlier is still a
   * lower bound of where the replica is now.
   */
  choose(required: string | null | Promise<string | null>): Promise<ReplicaChoice>;
  /** A read on `replica` failed: it is skipped for `retryMs`. */
  failed(replica: ReadReplica): void;
  close(): Promise<void>;
}


interface ReplicaState {
  replica: ReadReplica;
  pool: Pool;
  prisma: PrismaClient;
  position: string | null;
  positionAtMs: number;
  asking: Promise<string | null> | null;
  downUntilMs: number;
}

/** Opens a pool per replica URL (connections are made on first use: a replica down at start fails nothing). */
export function createReadReplicas(urls: readonly string[], options: ReadReplicasOptions): ReadReplicas {
  const positionTtlMs = options.positionTtlMs ?? defaultReadReplicaOptions.positionTtlMs;
  const retryMs = options.retryMs ?? defaultReadReplicaOptions.retryMs;
  const states: ReplicaState[] = urls.map((url, index) => {
    const pool = new Pool({ connectionString: url, max: options.poolSize, connectionTimeoutMillis: options.connectTimeoutMs });
    pool.on("error", () => undefined); // an idle connection that drops is replaced on the next query
    const { prisma, counter } = countingClient(new PrismaPg(pool));
    const replica: ReadReplica = { name: `replica-${index}`, repositories: createReadRepositories(prisma), counter };
    return { replica, pool, prisma, position: null, positionAtMs: 0, asking: null, downUntilMs: 0 };
  });
  let next = 0;
  let positionQueries = 0;

  // Null when the server is not replaying (a primary, or a promoted replica): not used for fills.
  async function ask(state: ReplicaState): Promise<string | null> {
    positionQueries += 1;
    const { rows } = await state.pool.query<{ lsn: string | null }>("SELECT pg_last_wal_replay_lsn()::text AS lsn");
    return rows[0]?.lsn ? walPosition(rows[0].lsn) : null;
  }

  function positionOf(state: ReplicaState): Promise<string | null> {
    if (Date.now() - state.positionAtMs < positionTtlMs) return Promise.resolve(state.position);
    state.asking ??= ask(state)
      .then((position) => {
        state.position = position;
        state.positionAtMs = Date.now();
        return position;
      })
      .finally(() => (state.asking = null));
    return state.asking;
  }

  function markDown(state: ReplicaState): void {
    state.downUntilMs = Date.now() + retryMs;
    state.position = null;
    state.positionAtMs = 0;
  }

  return {
    replicas: states.map((state) => state.replica),
    get positionQueries() {
      return positionQueries;
    },

    async choose(required) {
      // Every replica's position is asked while `required` is still being read (one round trip of
      // latency for both), in round-robin order: the first that is far enough serves.
      const start = next;
      next = (next + 1) % Math.max(1, states.length);
      const ordered = states.map((_, i) => states[(start + i) % states.length]).filter((state) => Date.now() >= state.downUntilMs);
      const positions = ordered.map((state) =>
        positionOf(state).catch(() => {
          markDown(state);
          return null;
        }),
      );
      const position = await required;
      const at = await Promise.all(positions);
      const found = at.findIndex((replayed) => replayed !== null && (position === null || replayed >= position));
      if (found >= 0) return { replica: ordered[found].replica };
      return { replica: null, reason: at.some((replayed) => replayed !== null) ? "lagging" : "down" };
    },

    failed(replica) {
      const state = states.find((candidate) => candidate.replica === replica);
      if (state) markDown(state);
    },

    async close() {
      for (const state of states) {
        await state.prisma.$disconnect().catch(() => undefined);
        await state.pool.end().catch(() => undefined);
      }
    },
  };
}
