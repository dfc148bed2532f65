import { Redis } from "ioredis";

/** The machine's Redis; TEST_REDIS_URL overrides it. */
export const testRedisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix of a test's own, so tests sharing the machine's Redis never see each other's keys. */
export function testPrefix(label: string): string {
  return `cgtest:${label}:${Math.random().toString(36).slice(2, 10)}:`;
}

/**
 * Deletes every key under a test's prefix from the machine's Redis. KEYS is fine here, at the end
 * of a test on its own prefix; it is never used on a request path.
 */
export async function deleteTestKeys(prefix: string, url = testRedisUrl): Promise<void> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  } finally {
    redis.disconnect();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The redis-server processes themselves live beside the consistency checker, which starts them too.
export { freePort, ownRedis, type OwnRedis } from "../../scripts/consistency/redis-process";

/** Polls `condition` every 25 ms until it holds or `timeoutMs` passes. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}
