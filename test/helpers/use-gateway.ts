import { Redis } from "ioredis";
import type { CacheStore } from "../../src/cache/store";
import type { Env } from "../../src/config";
import { createDatabase, type Database } from "../../src/data/database";
import { migrate } from "../../src/data/migrator";
import type { Gateway, GatewayOptions } from "../../src/server";
import { createTestDatabase } from "./database";
import { startTestGateway } from "./gateway";
import { deleteTestKeys, testPrefix, testRedisUrl } from "./redis-server";
import { seedGeneratedCatalog } from "./shared-data";

/** A generated catalog of this size (seed 1 unless given), written through the real writer. */
export interface GeneratedCatalog {
  products: number;
  categories: number;
  seed?: number;
}

export interface UseGatewayOptions {
  /** Names the database and the Redis key prefix, so a leftover shows which suite left it. */
  label: string;
  /** What the database holds before the gateway starts: a generated catalog, or a loader of its own (an import). Default: empty tables. */
  catalog?: GeneratedCatalog | ((db: Database) => Promise<unknown>);
  /**
   * Settings for `loadConfig` on top of the test defaults (see `startTestGateway`). A function is
   * called in beforeAll, after the suite's earlier hooks: for a URL known only then (a JWKS server, a redis-server of its own).
   */
  env?: Env | (() => Env);
  /** A cache store of the test's own instead of the one `env` configures. */
  store?: CacheStore | null;
  /** A logger of the test's own (to read what was logged) and extra Apollo plugins (see `startTestGateway`). */
  parts?: Pick<GatewayOptions, "logger" | "plugins">;
  /** The machine's Redis under a key prefix of the suite's own, with a client in `redis`; its keys are deleted afterwards. Default false. */
  redis?: boolean;
  /** "postgres" (default): a fresh migrated database on the machine's server, dropped afterwards; "pglite": in memory, migrated, closed afterwards. */
  database?: "postgres" | "pglite";
}

/**
 * What `useGateway` sets up. The fields exist from the suite's first test (or a hook registered
 * after `useGateway`) on; reading one earlier throws instead of handing out `undefined`.
 */
export interface GatewayFixture {
  readonly db: Database;
  readonly gateway: Gateway;
  /** The gateway's GraphQL endpoint. */
  readonly url: string;
  /** The suite's key prefix on the machine's Redis (with `redis: true`). */
  readonly prefix: string;
  /** A client of the machine's Redis, to look at what the gateway stored (with `redis: true`). */
  readonly redis: Redis;
  /** Deletes the suite's keys that start with `keyStart` after the prefix (all of them by default), for a test that wants a cold cache. */
  dropKeys(keyStart?: string): Promise<void>;
}

/**
 * One suite's database, catalog, gateway and cleanup. Registers a beforeAll (database, catalog,
 * then the gateway over it) and an afterAll (gateway stopped, database dropped, Redis keys deleted).
 * Hooks a suite registers before `useGateway` run before it; afterAll hooks registered after it run
 * after its cleanup, so a suite's own server outlives the gateway that uses it.
 */
export function useGateway(options: UseGatewayOptions): GatewayFixture {
  const { label } = options;
  const prefix = options.redis ? testPrefix(label) : undefined;
  let db: (Database & { drop?: () => Promise<void> }) | undefined;
  let gateway: Gateway | undefined;
  let redis: Redis | undefined;

  beforeAll(async () => {
    db = options.database === "pglite" ? await openPglite() : await createTestDatabase(label);
    if (typeof options.catalog === "function") await options.catalog(db);
    else if (options.catalog) await seedGeneratedCatalog(db, options.catalog);
    const env = typeof options.env === "function" ? options.env() : options.env;
    const redisEnv = prefix === undefined ? {} : { REDIS_URL: testRedisUrl, CACHE_PREFIX: prefix };
    gateway = await startTestGateway(db, { env: { ...redisEnv, ...env }, parts: options.parts, ...("store" in options ? { store: options.store } : {}) });
    if (prefix !== undefined) redis = new Redis(testRedisUrl);
  });
  afterAll(async () => {
    await gateway?.stop();
    await (db?.drop ? db.drop() : db?.close());
    redis?.disconnect();
    if (prefix !== undefined) await deleteTestKeys(prefix);
  });

  const ready = <T>(name: string, value: T | undefined): T => {
    if (value === undefined) {
      throw new Error(`useGateway("${label}"): ${name} is not there yet; read it in a test, or in a hook registered after useGateway`);
    }
    return value;
  };
  const withRedis = <T>(name: string, value: T | undefined): T => {
    if (prefix === undefined) throw new Error(`useGateway("${label}"): ${name} needs the option redis: true`);
    return ready(name, value);
  };
  return {
    get db() {
      return ready("db", db);
    },
    get gateway() {
      return ready("gateway", gateway);
    },
    get url() {
      return ready("gateway", gateway).url;
    },
    get prefix() {
      return withRedis("prefix", prefix);
    },
    get redis() {
      return withRedis("redis", redis);
    },
    dropKeys: (keyStart = "") => deleteTestKeys(withRedis("dropKeys", prefix) + keyStart),
  };
}

/** An in-memory PGlite database, migrated. */
async function openPglite(): Promise<Database> {
  const db = await createDatabase({ kind: "pglite", dataDir: "memory://" });
  await migrate(db.sql);
  return db;
}
