import { Redis } from "ioredis";
import { parseArgs } from "node:util";
import { ownRedis } from "../scripts/consistency/redis-process";
import { body, post, startGatewayProcess, stopGatewayProcess } from "./gateway-process";
import { openBenchDatabase } from "./peers/bench-database";

/**
 * Redis memory of a fully cached catalog (docs/scaling.md): the gateway on a redis-server of its
 * own (nothing else in it), every product read by SKU and every page of the whole catalog's
 * listing read once, then `used_memory` before and after and a per-family breakdown from
 * `MEMORY USAGE` of every key. The bench's own redis-server is the only thing it scans.
 *
 *   npm run bench:memory                       # 100,000 generated products, 1,000 categories
 *   npm run bench:memory -- --products 20000
 *   npm run bench:memory -- --catalog real --responses   # each SKU read twice: whole responses kept too
 */

const { values: flags } = parseArgs({
  options: {
    catalog: { type: "string", default: "generated" },
    products: { type: "string", default: "100000" },
    categories: { type: "string", default: "1000" },
    port: { type: "string", default: "4413" },
    concurrency: { type: "string", default: "32" },
    /** Read every SKU a second time, so that whole responses are kept too (a first read, from the database, never is). */
    responses: { type: "boolean", default: false },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
  },
});

const PRODUCT_QUERY = `query ($sku: String!) { productBySku(sku: $sku) { id sku name price stock brand description category { id name parent { id name } } } }`;
const PAGE_QUERY = `query ($after: String) { products(first: 100, after: $after) { edges { node { id name price } } pageInfo { endCursor hasNextPage } } }`;

/** Runs `task` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Bytes and key count per family: the key with its prefix, hash tags and ids taken out. */
async function breakdown(redis: Redis): Promise<Map<string, { keys: number; bytes: number }>> {
  const families = new Map<string, { keys: number; bytes: number }>();
  let cursor = "0";
  do {
    const [nextCursor, keys] = await redis.scan(cursor, "COUNT", 1000);
    cursor = nextCursor;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory("USAGE", key, "SAMPLES", "0");
    const sizes = (await pipeline.exec())!.map(([, size]) => Number(size ?? 0));
    keys.forEach((key, i) => {
      const family = familyName(key);
      const entry = families.get(family) ?? { keys: 0, bytes: 0 };
      entry.keys += 1;
      entry.bytes += sizes[i];
      families.set(family, entry);
    });
  } while (cursor !== "0");
  return families;
}

/** `cg:v1:prod:sku:ABC` -> `prod:sku`, `cg:v1:{resp}:v:prod:7` -> `{resp}:v`, `cg:v1:gen:prods:cat:7:price` -> `gen`. */
export function familyName(key: string): string {
  const rest = key.replace(/^cg:[^:]+:/, "").replace(/[{}]/g, "");
  const segments = rest.split(":").filter((segment) => !/^\d+$/.test(segment) && segment !== "all");
  if (segments[0] === "gen") return "gen";
  if (segments[0] === "resp") return segments[1] === "v" ? "resp:v" : "resp";
  if (rest.includes("#lease") || segments.includes("lease")) return "lease";
  return segments.slice(0, segments[0] === "prod" || segments[0] === "cat" ? 2 : 1).join(":").replace(/:[A-Za-z0-9%_-]{12,}$/, "");
}

async function main() {
  const real = flags.catalog === "real";
  const { url: databaseUrl, db } = await openBenchDatabase(flags["pg-url"]!, {
    real,
    products: Number(flags.products),
    categories: Number(flags.categories),
  });
  const skus = (await db.sql.query<{ sku: string }>(`SELECT sku FROM products ORDER BY id`)).map((row) => row.sku);
  await db.close();

  const redisServer = await ownRedis();
  await redisServer.start();
  const redis = new Redis(redisServer.url);
  const { child, url } = await startGatewayProcess(
    {
      NODE_ENV: "production",
      JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123",
      PORT: flags.port!,
      DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: "false",
      LOG_LEVEL: "warn",
      RATE_LIMIT: "off",
      CACHE_STORE: "redis",
      REDIS_URL: redisServer.url,
    },
    120_000,
  );
  try {
    const empty = await usedMemory(redis);
    const started = Date.now();
    let failed = 0;
    const rounds = flags.responses ? 2 : 1;
    for (let round = 0; round < rounds; round++) {
      await eachLimited(skus, Number(flags.concurrency), async (sku) => {
        const { data, errors } = await post(url, body(PRODUCT_QUERY, { sku }));
        if (errors || !data?.productBySku) failed += 1;
      });
    }
    let after: string | null = null;
    let pages = 0;
    do {
      const { data } = await post(url, body(PAGE_QUERY, { after }));
      after = data.products.pageInfo.hasNextPage ? data.products.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    const full = await usedMemory(redis);
    const families = await breakdown(redis);
    const seconds = (Date.now() - started) / 1000;
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    console.log(
      `Catalog: ${real ? "Best Buy (real)" : "generated"}, ${skus.length} products; ${rounds * skus.length} SKU reads ` +
        `(${failed} failed or empty) and ${pages} pages of 100 in ${seconds.toFixed(0)} s.`,
    );
    console.log(`used_memory: ${mib(empty)} MiB empty, ${mib(full)} MiB full: ${mib(full - empty)} MiB for the catalog, ${((full - empty) / skus.length).toFixed(0)} bytes per product.`);
    console.log("");
    console.log("| family | keys | MiB (MEMORY USAGE) | bytes per key |");
    console.log("|---|---|---|---|");
    for (const [family, { keys, bytes }] of [...families].sort((a, b) => b[1].bytes - a[1].bytes)) {
      console.log(`| ${family} | ${keys} | ${mib(bytes)} | ${(bytes / keys).toFixed(0)} |`);
    }
  } finally {
    await stopGatewayProcess(child);
    redis.disconnect();
    await redisServer.dispose();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
