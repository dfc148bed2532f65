/** What a peer needs to start; `serve.ts` reads it from the environment the bench passes. */
export interface PeerSettings {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** The PostgreSQL database holding the catalog (the gateway's). */
  databaseUrl: string;
  /** Redis for the peers with a response cache. */
  redisUrl: string;
  /** Prefix (Keyv namespace, ioredis keyPrefix) of the peer's Redis keys, so runs never share entries. */
  cachePrefix: string;
  /** How long a cached response lives, in seconds (default 60): Apollo's defaultMaxAge, envelop's ttl. */
  ttlSeconds: number;
  /** The body the fixed-body server returns. */
  fixedBody: string;
}

/** A started peer: its GraphQL endpoint and how to stop it. */
export interface RunningPeer {
  url: string;
  stop(): Promise<void>;
}

/** The default settings of a peer run by hand (`npm run bench:peers` passes its own). */
export function peerSettingsFrom(env: NodeJS.ProcessEnv): PeerSettings {
  return {
    port: Number(env.PORT ?? 4500),
    databaseUrl: env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    cachePrefix: env.PEER_CACHE_PREFIX ?? `peer:${process.pid}:`,
    ttlSeconds: Number(env.PEER_TTL_SECONDS ?? 60),
    fixedBody: env.PEER_FIXED_BODY ?? `{"data":{"__typename":"Query"}}`,
  };
}
