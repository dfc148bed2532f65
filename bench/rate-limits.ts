import autocannon from "autocannon";
import { Client } from "pg";
import { Redis } from "ioredis";
import { parseArgs } from "node:util";
import { body, post, startGatewayProcess, stopGatewayProcess } from "./gateway-process";
import { freePort } from "../test/helpers/redis-server";
import { createRedisClient, waitForReady } from "../src/cache/redis-client";
import { createRateLimits, defaultRateLimitOptions } from "../src/edge/rate-limit";

/**
 * What the edge costs on the hottest path: the cached productBySku (a whole-response cache hit)
 * with the rate limits on (RATE_LIMIT=on, budgets too large to refuse: one Redis charge per
 * request) against the same gateway with them off. Both run at once, as separate processes over
 * one database and Redis; short cells alternate between them, so a machine whose load drifts
 * slows both alike, and the median of the per-round ratios is reported. The gateway's CPU time per
 * request (process_cpu_seconds_total from /metrics) is reported too: on a loaded machine it is the
 * steadier figure (it leaves out Redis's own work for the extra command).
 *
 * First, the steadiest figure on a busy machine: the CPU time of one `charge` (what a cached
 * answer adds) in this process, over the real Redis, at the default budgets.
 *
 *   npm run bench:rate-limits -- --rounds 6 --seconds 3
 *
 * Needs a database `bench/run.ts` has seeded (`--database`, default cg_bench_gen_10000_100).
 */
const { values: flags } = parseArgs({
  options: {
    database: { type: "string", default: "cg_bench_gen_10000_100" },
    rounds: { type: "string", default: "6" },
    seconds: { type: "string", default: "3" },
    connections: { type: "string", default: "16" },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
    "log-level": { type: "string", default: "warn" },
  },
});

/**
 * CPU µs of one charge of cost 6 (the hot productBySku) at the default budgets, over Redis, 16 at
 * a time as the HTTP load has them: by one caller (the hot path: batched in process), or each by a
 * caller of its own (every charge ends as one Redis command of a flush).
 */
async function chargeCost(distinctCallers: boolean): Promise<number> {
  const redis = createRedisClient({ url: flags["redis-url"]!, autoPipelining: true, commandTimeoutMs: 10_000 });
  await waitForReady(redis);
  let microseconds = Infinity;
  for (let run = 0; run < 5; run += 1) {
    const limits = createRateLimits(redis, defaultRateLimitOptions, (budget) => `cg:bench:rl:charge:${Date.now()}:${run}:${budget}`);
    const start = process.cpuUsage();
    // 10,000 charges of 6: well within one caller's window.
    for (let i = 0; i < 10_000; i += 16) {
      await Promise.all(Array.from({ length: 16 }, (_, j) => limits.charge({ ip: distinctCallers ? `c${i + j}` : "c", subject: null, failedAuth: false, write: false }, 6)));
    }
    await limits.close();
    const used = process.cpuUsage(start);
    microseconds = Math.min(microseconds, (used.user + used.system) / 10_000);
  }
  const keys = await redis.keys("cg:bench:rl:charge:*");
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
  return microseconds;
}

async function main() {
  console.log(`one charge of cost 6 at the default budgets, in process (best of 5): one hot caller ${(await chargeCost(false)).toFixed(2)} µs of CPU, each by a caller of its own ${(await chargeCost(true)).toFixed(2)} µs`);
  const url = new URL(flags["pg-url"]!);
  url.pathname = `/${flags.database}`;
  const pg = new Client({ connectionString: url.toString() });
  await pg.connect();
  const { rows } = await pg.query<{ sku: string }>(`SELECT sku FROM products ORDER BY popularity DESC, id LIMIT 1`);
  await pg.end();
  const hot = body(`query($sku: String!) { productBySku(sku: $sku) { id sku name brand price stock } }`, { sku: rows[0].sku });

  const prefix = `cg:bench:rl:${Date.now()}:`;
  const base = {
    NODE_ENV: "production",
    JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    DATABASE_URL: url.toString(),
    MIGRATE_ON_START: "false",
    LOG_LEVEL: flags["log-level"]!,
    CACHE_STORE: "redis",
    REDIS_URL: flags["redis-url"]!,
  };
  const cells = [
    { name: "rate limits off", env: { ...base, RATE_LIMIT: "off", CACHE_PREFIX: `${prefix}off:` } },
    { name: "rate limits on", env: { ...base, RATE_LIMIT: "on", RATE_LIMIT_IP_COST: "1000000000", CACHE_PREFIX: `${prefix}on:` } },
  ];
  const gateways = [];
  for (const cell of cells) gateways.push(await startGatewayProcess({ ...cell.env, PORT: String(await freePort()) }));
  try {
    for (const { url: gatewayUrl } of gateways) {
      await post(gatewayUrl, hot);
      await autocannon({ url: gatewayUrl, connections: Number(flags.connections), duration: 1, method: "POST", headers: { "content-type": "application/json" }, body: hot });
    }
    const ratios: number[] = [];
    const cpu = [0, 0];
    const served = [0, 0];
    for (let round = 0; round < Number(flags.rounds); round += 1) {
      const rps: number[] = [];
      for (const [i, { url: gatewayUrl }] of gateways.entries()) {
        const cpuBefore = await cpuSeconds(gatewayUrl);
        const result = await autocannon({
          url: gatewayUrl,
          connections: Number(flags.connections),
          duration: Number(flags.seconds),
          method: "POST",
          headers: { "content-type": "application/json" },
          body: hot,
        });
        if (result.non2xx || result.errors) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
        rps.push(result.requests.average);
        cpu[i] += (await cpuSeconds(gatewayUrl)) - cpuBefore;
        served[i] += result.requests.total;
      }
      ratios.push(rps[1] / rps[0]);
      console.log(`round ${round + 1}: off ${rps[0].toFixed(0)} req/s, on ${rps[1].toFixed(0)} req/s, on/off ${(rps[1] / rps[0]).toFixed(3)}`);
    }
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
    console.log(`hot cached productBySku with rate limits on: ${(median * 100).toFixed(1)}% of the throughput with them off (median of ${ratios.length} rounds; cost ${((1 - median) * 100).toFixed(1)}%)`);
    const [offUs, onUs] = cpu.map((seconds, i) => (seconds / Math.max(1, served[i])) * 1e6);
    console.log(`gateway CPU per request: off ${offUs.toFixed(1)} µs, on ${onUs.toFixed(1)} µs (+${(((onUs - offUs) / offUs) * 100).toFixed(1)}%)`);
  } finally {
    for (const { child } of gateways) await stopGatewayProcess(child);
    const redis = new Redis(flags["redis-url"]!);
    const keys = await redis.keys(`${prefix}*`); // the bench's own keys, after the run
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
  }
}

async function cpuSeconds(gatewayUrl: string): Promise<number> {
  const metrics = await (await fetch(new URL("/metrics", gatewayUrl))).text();
  return Number(/^process_cpu_seconds_total (\S+)$/m.exec(metrics)?.[1] ?? NaN);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
