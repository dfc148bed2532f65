// The read replicas' settings and their defaults, apart from src/data/read-replicas.ts so that the
// configuration (src/config.ts) reads them without loading the Prisma client: scripts that run
// before the client is generated (scripts/prepare-database.ts) load the configuration.

export interface ReadReplicasOptions {
  /** Connections per replica pool (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** A connection not made after this many ms fails (DATABASE_CONNECT_TIMEOUT_MS); the fill then reads the primary. */
  connectTimeoutMs: number;
  /** How long a replica's replay position is reused, ms (REPLICA_POSITION_TTL_MS). Default 5. */
  positionTtlMs?: number;
  /** How long a replica that failed is not asked, ms (REPLICA_RETRY_MS). Default 1000. */
  retryMs?: number;
}

/** Defaults of `ReadReplicasOptions`. */
export const defaultReadReplicaOptions = { positionTtlMs: 5, retryMs: 1000 } as const;
