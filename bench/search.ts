import autocannon from "autocannon";
import path from "node:path";
import { parseArgs } from "node:util";
import { body, post, repoRoot, startGatewayProcess, stopGatewayProcess } from "./gateway-process";
import { Redis } from "ioredis";
import { Client } from "pg";
import { applyFootprint } from "../src/cache/invalidation";
import { createKeys } from "../src/cache/keys";
import { createRedisStore } from "../src/cache/redis-store";
import { createDatabase } from "../src/data/database";
import { migrate } from "../src/data/migrator";
import { seedIfEmpty } from "../src/data/seed/seed-on-start";
import { searchQueries } from "./search-queries";
import { printTable as printMarkdownTable } from "./markdown-table";

/**
 * The search benchmark (README.md, "Search and statistics"): a generated catalog (100,000 products by
 * default) in PostgreSQL, or in PGlite for HYBRID with pgvector; the gateway as its own process,
 * without a cache (every search computed: "uncached") and on Redis ("cached"); autocannon drives a
 * fixed set of 50 search queries, autocomplete prefixes of one and two letters, and stats. Then the
 * hit rate of searches under a 1% write mix: 99% searches from the 50 queries, 1% writes that move
 * `gen:search` and `gen:stats` exactly as a product write's footprint does.
 *
 *   node --experimental-vm-modules --no-warnings -r ts-node/register/transpile-only bench/search.ts \
 *     [--products 100000] [--database postgres|pglite] [--duration 10] [--ops 20000] [--write-ratio 0.01]
 *     [--port 4412] [--database-name cg_bench_search_100000_1000]
 */

const { values: flags } = parseArgs({
  options: {
    products: { type: "string", default: "100000" },
    categories: { type: "string", default: "1000" },
    database: { type: "string", default: "postgres" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "16" },
    ops: { type: "string", default: "20000" },
    "write-ratio": { type: "string", default: "0.01" },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
    only: { type: "string" },
    /** Port of the gateway process the bench starts. */
    port: { type: "string", default: "4412" },
    /** PostgreSQL database holding the catalog (with --database postgres); default named after the catalog. */
    "database-name": { type: "string" },
  },
});

const SEARCH = `query($q: String!, $mode: SearchMode) { search(query: $q, mode: $mode, first: 20) { totalCount hits { score product { id name price } } facets { field values { value count } } } }`;

interface Row {
  scenario: string;
  cache: string;
  rps: number;
  p50: number;
  p99: number;
  sqlPerRequest: number;
  errors: number;
}

async function counters(url: string) {
  const { data } = await post(url, body(`{ cacheStats { sqlStatements families { family hits misses stale } } }`));
  return data.cacheStats as { sqlStatements: number; families: { family: string; hits: number; misses: number; stale: number }[] };
}

async function measure(url: string, cache: string, scenario: string, bodies: string[]): Promise<Row> {
  const run = (seconds: number) =>
    autocannon({
      url,
      connections: Number(flags.connections),
      duration: seconds,
      requests: bodies.map((payload) => ({ method: "POST", path: "/", headers: { "content-type": "application/json" }, body: payload })),
    });
  await run(Number(flags.warmup));
  const before = await counters(url);
  const result = await run(Number(flags.duration));
  const after = await counters(url);
  return {
    scenario,
    cache,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    sqlPerRequest: (after.sqlStatements - before.sqlStatements) / Math.max(1, result.requests.total),
    errors: result.errors + result.non2xx,
  };
}

// Sequential requests, so the mix is exactly as drawn: one write in every 1/ratio operations on average.
async function hitRate(url: string, queries: string[], prefix: string, redisUrl: string) {
  const store = createRedisStore(new Redis(redisUrl));
  const keys = createKeys(prefix);
  const ops = Number(flags.ops);
  const ratio = Number(flags["write-ratio"]);
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  // Start from a cold search family.
  await applyFootprint(store, keys, { search: true, stats: true });
  const searchFamily = async () => (await counters(url)).families.find((f) => f.family === "search") ?? { hits: 0, misses: 0, stale: 0 };
  const before = await searchFamily();
  let writes = 0;
  const started = performance.now();
  for (let i = 0; i < ops; i++) {
    if (random() < ratio) {
      writes += 1;
      await applyFootprint(store, keys, { search: true, stats: true });
    } else {
      await post(url, body(SEARCH, { q: queries[Math.floor(random() * queries.length)], mode: "TEXT" }));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const after = await searchFamily();
  await store.close();
  const hits = after.hits - before.hits;
  // A retired entry is counted "stale" and then, when it is loaded again, "miss": count it once.
  const misses = after.misses - before.misses;
  return { searches: ops - writes, writes, hits, misses, hitRate: hits / (hits + misses), seconds };
}

// Uniform choice among n queries, a write with probability p retiring all: the expected hit rate.
function expectedHitRate(n: number, p: number): number {
  // Between two writes: G searches (geometric, mean (1-p)/p); each distinct query misses once.
  let misses = 0;
  let searches = 0;
  for (let g = 0, pg = p; g < 5000; g++, pg *= 1 - p) {
    misses += pg * n * (1 - Math.pow(1 - 1 / n, g));
    searches += pg * g;
  }
  return 1 - misses / searches;
}

function printTable(rows: Row[]) {
  const header = ["scenario", "cache", "req/s", "p50 ms", "p99 ms", "SQL/req", "errors"];
  const lines = rows.map((row) => [row.scenario, row.cache, row.rps.toFixed(0), row.p50.toFixed(1), row.p99.toFixed(1), row.sqlPerRequest.toFixed(2), String(row.errors)]);
  printMarkdownTable(header, lines);
}

async function main() {
  const products = Number(flags.products);
  const categories = Number(flags.categories);
  const pglite = flags.database === "pglite";
  let databaseEnv: Record<string, string>;
  let queries: string[];
  if (pglite) {
    // One data folder per catalog size: the first run seeds and embeds it (minutes for 100k), later runs reuse it.
    const dataDir = path.join(repoRoot, ".data", `bench-pglite-${products}-${categories}`);
    databaseEnv = { PGLITE_DATA_DIR: dataDir, SEED_PRODUCTS: String(products), SEED_CATEGORIES: String(categories), MIGRATE_ON_START: "true" };
    const { child } = await startGatewayProcess({ ...databaseEnv, PORT: flags.port!, CACHE_STORE: "none", LOG_LEVEL: "info" }, 600_000);
    await stopGatewayProcess(child);
    const db = await createDatabase({ kind: "pglite", dataDir });
    queries = await searchQueries((text) => db.sql.query(text));
    await db.close();
  } else {
    const name = flags["database-name"] ?? `cg_bench_search_${products}_${categories}`;
    const admin = new Client({ connectionString: flags["pg-url"] });
    await admin.connect();
    if ((await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(flags["pg-url"]!);
    url.pathname = `/${name}`;
    const db = await createDatabase({ kind: "postgres", url: url.toString(), poolSize: 4 });
    await migrate(db.sql);
    await seedIfEmpty(db, { products, categories }, (message) => console.log(message));
    queries = await searchQueries((text) => db.sql.query(text));
    await db.close();
    databaseEnv = { DATABASE_URL: url.toString(), MIGRATE_ON_START: "false" };
  }
  const modes = pglite ? ["TEXT", "HYBRID"] : ["TEXT"];
  const scenarios: [string, string[]][] = [
    ...modes.map((mode): [string, string[]] => [`search ${mode} (50 queries)`, queries.map((q) => body(SEARCH, { q, mode }))]),
    ["autocomplete (1-2 letters)", ["s", "b", "m", "p", "sa", "bl", "ch", "pr", "st", "co"].map((prefix) => body(`query($p: String!) { autocomplete(prefix: $p) }`, { p: prefix }))],
    ["stats", [body(`{ stats { productCount priceAvg stockTotal byTopLevelCategory { productCount } byBrand { brand productCount } } }`)]],
  ];
  // --only <part of a scenario name>, or --only hit-rate for the write-mix measurement alone.
  const selected = scenarios.filter(([name]) => !flags.only || name.includes(flags.only));
  const measureHitRate = !flags.only || flags.only === "hit-rate";
  const prefix = `cg:bench-search:${Date.now()}:`;
  console.log(`Catalog: generated, ${products} products in ${pglite ? "PGlite (pgvector, local embedder)" : "PostgreSQL (no pgvector: TEXT)"}. ${flags.connections} connections, ${flags.duration}s per cell.`);
  const rows: Row[] = [];
  let rate: Awaited<ReturnType<typeof hitRate>> | null = null;
  for (const [cache, env] of [
    ["none (uncached)", { CACHE_STORE: "none" }],
    ["redis (cached)", { CACHE_STORE: "redis", REDIS_URL: flags["redis-url"]!, CACHE_PREFIX: prefix }],
  ] as const) {
    const { child, url } = await startGatewayProcess({
      NODE_ENV: "production",
      JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123",
      PORT: flags.port!,
      LOG_LEVEL: "warn",
      INTROSPECTION: "false",
      // One client drives the load: the production rate limits would refuse it.
      RATE_LIMIT: "off",
      VECTOR_SYNC_ON_START: "false",
      ...databaseEnv,
      MIGRATE_ON_START: "false",
      ...env,
    });
    try {
      for (const [scenario, bodies] of selected) {
        process.stderr.write(`  ${cache}: ${scenario}...\n`);
        rows.push(await measure(url, cache, scenario, bodies));
      }
      if (env.CACHE_STORE === "redis" && measureHitRate) {
        process.stderr.write(`  redis (cached): hit rate under a ${Number(flags["write-ratio"]) * 100}% write mix...\n`);
        rate = await hitRate(url, queries, prefix, flags["redis-url"]!);
      }
    } finally {
      await stopGatewayProcess(child);
    }
  }
  printTable(rows);
  if (rate) {
    const ratio = Number(flags["write-ratio"]);
    console.log(
      `\nSearch hit rate, ${rate.searches} searches (uniform over ${queries.length} queries) and ${rate.writes} writes (${ratio * 100}%), ` +
        `each write retiring every search (gen:search): ${(rate.hitRate * 100).toFixed(1)}% ` +
        `(${rate.hits} hits, ${rate.misses} misses; model: ${(expectedHitRate(queries.length, ratio) * 100).toFixed(1)}%; no writes: ` +
        `${(100 * (1 - queries.length / rate.searches)).toFixed(1)}%) in ${rate.seconds.toFixed(1)} s`,
    );
  }
  const redis = new Redis(flags["redis-url"]!);
  const leftover = await redis.keys(`${prefix}*`); // the bench's own keys, after the run
  for (let i = 0; i < leftover.length; i += 1000) await redis.del(...leftover.slice(i, i + 1000));
  redis.disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
