import { Redis } from "ioredis";
import type { Gateway } from "../../src/server";
import type { Env } from "../../src/config";
import { createTestDatabase, type TestDatabase } from "./database";
import { startTestGateway } from "./gateway";
import { deleteTestKeys, testPrefix, testRedisUrl } from "./redis-server";
import { seedGeneratedCatalog } from "./shared-data";

/** What `useRedisGateway` sets up for a suite; the fields are filled before its first test. */
export interface RedisGatewayFixture {
  /** The suite's own key prefix on the machine's Redis. */
  prefix: string;
  db: TestDatabase;
  gateway: Gateway;
  /** A client of the machine's Redis, to look at what the gateway stored. */
  redis: Redis;
}

/**
 * Registers the suite's beforeAll/afterAll: a fresh PostgreSQL database with a generated catalog,
 * a gateway on the machine's Redis under a prefix of its own (plus `env`), and a Redis client;
 * afterwards everything is stopped, dropped and the prefix's keys deleted.
 */
export function useRedisGateway(label: string, catalog: { products: number; categories: number }, env: Env = {}): RedisGatewayFixture {
  const fixture = { prefix: testPrefix(label) } as RedisGatewayFixture;
  beforeAll(async () => {
    fixture.db = await createTestDatabase(label);
    await seedGeneratedCatalog(fixture.db, catalog);
    fixture.gateway = await startTestGateway(fixture.db, { env: { REDIS_URL: testRedisUrl, CACHE_PREFIX: fixture.prefix, ...env } });
    fixture.redis = new Redis(testRedisUrl);
  });
  afterAll(async () => {
    await fixture.gateway?.stop();
    await fixture.db?.drop();
    fixture.redis?.disconnect();
    await deleteTestKeys(fixture.prefix);
  });
  return fixture;
}
