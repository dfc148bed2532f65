import autocannon from "autocannon";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { body, post, repoRoot, startGatewayProcess, stopGatewayProcess } from "./gateway-process";
import { Client } from "pg";
import { Redis } from "ioredis";
import { createDatabase } from "../src/data/database";
import { migrate } from "../src/data/migrator";
import { seedIfEmpty } from "../src/data/seed/seed-on-start";
import { scenarios, type Scenario } from "./scenarios";
import { printTable as printMarkdownTable } from "./markdown-table";
import { existingBenchRedis, ownBenchCluster, ownBenchRedis, pinProcesses, sampleServers, type BenchRedis } from "./redis-servers";

/**
 * The benchmark: one catalog in PostgreSQL, the gateway started as its own process in three cache
 * configurations (none, in-process, Redis), a fixed query mix driven by autocannon over HTTP for a
 * fixed time and concurrency, and one table: req/s, p50, p99, SQL statements and store round trips
 * per request, and each configuration's req/s against no cache. See bench/README.md.
 */

const { values: flags } = parseArgs({
  options: {
    catalog: { type: "string", default: "generated" },
    products: { type: "string", default: "100000" },
    categories: { type: "string", default: "1000" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "16" },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    // A Redis that runs already for the single-node cells; default: a redis-server of the bench's own (redis-servers.ts).
    "redis-url": { type: "string" },
    only: { type: "string" },
    /** Port of the gateway process the bench starts. */
    port: { type: "string", default: "4411" },
    /** PostgreSQL database holding the catalog (created and seeded when missing); default named after the catalog. */
    database: { type: "string" },
    // Adds a cell: Redis with the rate limits on (budgets too large to refuse), to compare with "redis".
    "rate-limits": { type: "boolean", default: false },
    // Adds cells on a 3-master Redis Cluster the bench starts (redis-server, redis-cli): "cluster, no resp" and "cluster".
    cluster: { type: "boolean", default: false },
    // With --cluster: the clusters' master counts, comma separated ("1,3"); 3 is "cluster", another N "cluster (N masters)".
    "cluster-masters": { type: "string", default: "3" },
    // Binds every redis-server the bench starts to these CPUs (taskset's list: "1", "0,1").
    "pin-redis": { type: "string" },
    // Only these cache configurations: names, comma separated ("redis,cluster"); a name ending in * takes every one it starts ("redis, no resp*").
    configs: { type: "string" },
  },
});

const sharedData = path.resolve(repoRoot, "../shared/data");

interface Row {
  scenario: string;
  config: string;
  rps: number;
  p50: number;
  p99: number;
  sqlPerRequest: number;
  roundTripsPerRequest: number;
  /** CPU time per request: the gateway process, and its Redis servers summed (ms). */
  gatewayCpuMs: number;
  redisCpuMs: number;
  /** Commands per request run by each of the cell's redis-servers (INFO commandstats; a script's inner commands count). */
  callsPerNode: number[];
  errors: number;
}


async function counters(url: string, redisPorts: number[]) {
  // The near cache's barrier PINGs are round trips too (on its own connection).
  const { data } = (await post(url, body(`{ cacheStats { sqlStatements storeRoundTrips near { barriers } } }`))) as {
    data: { cacheStats: { sqlStatements: number; storeRoundTrips: number; near: { barriers: number } | null } };
  };
  // CPU time holds where req/s does not (a machine shared with other work).
  const metrics = await fetch(new URL("/metrics", url)).then((response) => response.text());
  const cpuSeconds = Number(/^process_cpu_seconds_total (\S+)$/m.exec(metrics)?.[1] ?? 0);
  const servers = await sampleServers(redisPorts);
  return { sql: data.cacheStats.sqlStatements, roundTrips: data.cacheStats.storeRoundTrips + (data.cacheStats.near?.barriers ?? 0), cpuSeconds, servers };
}

// One body is sent as is (autocannon builds the request once); several rotate through `requests`,
// which autocannon rebuilds for every request, costing the load generator about a third of its rate.
function drive(url: string, scenario: Scenario, seconds: number, connections: number) {
  const headers = { "content-type": "application/json" };
  const load =
    scenario.bodies.length === 1
      ? { method: "POST" as const, headers, body: scenario.bodies[0] }
      : { requests: scenario.bodies.map((payload) => ({ method: "POST" as const, path: "/", headers, body: payload })) };
  return autocannon({ url, connections, duration: seconds, ...load });
}

async function measure(config: string, url: string, redisPorts: number[], scenario: Scenario): Promise<Row> {
  await drive(url, scenario, Number(flags.warmup), Number(flags.connections));
  const before = await counters(url, redisPorts);
  const result = await drive(url, scenario, Number(flags.duration), Number(flags.connections));
  const after = await counters(url, redisPorts);
  const requests = Math.max(1, result.requests.total);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    scenario: scenario.name,
    config,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    // The stats query itself costs one statement-free request; it is not subtracted.
    sqlPerRequest: (after.sql - before.sql) / requests,
    roundTripsPerRequest: (after.roundTrips - before.roundTrips) / requests,
    gatewayCpuMs: ((after.cpuSeconds - before.cpuSeconds) * 1000) / requests,
    redisCpuMs: ((sum(after.servers.cpuSeconds) - sum(before.servers.cpuSeconds)) * 1000) / requests,
    callsPerNode: after.servers.calls.map((calls, i) => (calls - before.servers.calls[i]) / requests),
    errors: result.errors + result.non2xx,
  };
}

function printTable(rows: Row[]) {
  // Against no cache; with --configs leaving it out, against the first configuration measured.
  const base = rows.some((row) => row.config === "none") ? "none" : rows[0]?.config;
  const baseline = new Map(rows.filter((row) => row.config === base).map((row) => [row.scenario, row.rps]));
  const header = ["scenario", "cache", "req/s", "p50 ms", "p99 ms", "SQL/req", "RT/req", "gateway CPU µs/req", "Redis CPU µs/req", base === "none" ? "x no cache" : `x ${base}`, "errors"];
  const lines = rows.map((row) => [
    row.scenario,
    row.config,
    row.rps.toFixed(0),
    row.p50.toFixed(1),
    row.p99.toFixed(1),
    row.sqlPerRequest.toFixed(2),
    row.roundTripsPerRequest.toFixed(2),
    (row.gatewayCpuMs * 1000).toFixed(0),
    row.callsPerNode.length > 0 ? (row.redisCpuMs * 1000).toFixed(0) : "-",
    `${(row.rps / (baseline.get(row.scenario) ?? row.rps)).toFixed(2)}x`,
    String(row.errors),
  ]);
  printMarkdownTable(header, lines);
}

// The cluster's cost: its req/s against the single Redis's, per scenario, measured in the same run.
// Also each cell's CPU per request (gateway, Redis) and the share of the commands each master ran.
function printClusterRatio(rows: Row[]) {
  console.log("\ncluster req/s / single Redis req/s (same run); CPU µs/req gateway + Redis; commands per master per request:");
  const cpu = (row: Row) => `${(row.gatewayCpuMs * 1000).toFixed(0)} + ${(row.redisCpuMs * 1000).toFixed(0)}`;
  for (const row of rows.filter((r) => r.config.startsWith("cluster"))) {
    const single = row.config.startsWith("cluster, no resp") ? "redis, no resp" : "redis";
    const base = rows.find((r) => r.config === single && r.scenario === row.scenario);
    if (!base) continue;
    console.log(
      `  ${row.scenario} (${row.config}): ${(row.rps / base.rps).toFixed(2)}, RT/req ${base.roundTripsPerRequest.toFixed(2)} -> ${row.roundTripsPerRequest.toFixed(2)}, ` +
        `CPU ${cpu(base)} -> ${cpu(row)}, commands ${base.callsPerNode.map((n) => n.toFixed(2)).join("/")} -> ${row.callsPerNode.map((n) => n.toFixed(2)).join("/")}`,
    );
  }
}

async function main() {
  const real = flags.catalog === "real";
  if (real && !existsSync(sharedData)) throw new Error(`--catalog real needs the Best Buy data in ${sharedData}`);
  const name = flags.database ?? (real ? "cg_bench_real" : `cg_bench_gen_${flags.products}_${flags.categories}`);
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`--database must be a plain PostgreSQL name (letters, digits, _), got ${JSON.stringify(name)}`);
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port must be a port number 1-65535, got ${JSON.stringify(flags.port)}`);
  const admin = new Client({ connectionString: flags["pg-url"] });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount! > 0;
  if (!exists) await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(flags["pg-url"]!);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  const db = await createDatabase({ kind: "postgres", url: databaseUrl, poolSize: 4 });
  await migrate(db.sql);
  // The default database is named after the catalog, so one that holds categories already holds this
  // one (a database named with --database is only seeded when it is empty).
  await seedIfEmpty(
    db,
    { dir: real ? sharedData : undefined, products: Number(flags.products), categories: Number(flags.categories) },
    (message) => console.log(message),
  );
  const mix = (await scenarios(db)).filter((s) => !flags.only || s.name.includes(flags.only));
  const [{ products }] = await db.sql.query<{ products: string }>(`SELECT count(*) AS products FROM products`);
  await db.close();

  const prefix = `cg:bench:${Date.now()}:`;
  // Each cell: its name, its settings, and its Redis ("single", or a cluster's master count).
  const configs: [string, Record<string, string>, ("single" | number)?][] = [
    ["none", { CACHE_STORE: "none" }],
    ["memory", { CACHE_STORE: "memory", CACHE_MEMORY_MAX_ENTRIES: "500000" }],
    // The loaders' cache alone, without whole responses: what a query costs when it is executed.
    // Without the near cache, then with it (its barrier on, the default; then off: 0 round trips, a window of one network delay).
    ["redis, no resp", { CACHE_STORE: "redis", CACHE_PREFIX: prefix, CACHE_RESPONSES: "false", NEAR_CACHE: "off" }, "single"],
    ["redis, no resp, near", { CACHE_STORE: "redis", CACHE_PREFIX: `${prefix}n:`, CACHE_RESPONSES: "false", NEAR_CACHE: "on" }, "single"],
    ["redis, no resp, near, no barrier", { CACHE_STORE: "redis", CACHE_PREFIX: `${prefix}nb:`, CACHE_RESPONSES: "false", NEAR_CACHE: "on", NEAR_CACHE_BARRIER: "off" }, "single"],
    ["redis", { CACHE_STORE: "redis", CACHE_PREFIX: `${prefix}r:`, NEAR_CACHE: "off" }, "single"],
    ["redis, near", { CACHE_STORE: "redis", CACHE_PREFIX: `${prefix}rn:`, NEAR_CACHE: "on" }, "single"],
  ];
  if (flags.cluster) {
    for (const masters of flags["cluster-masters"]!.split(",").map(Number)) {
      if (!Number.isInteger(masters) || masters < 1) throw new Error(`--cluster-masters must list master counts (1 or more), got ${JSON.stringify(flags["cluster-masters"])}`);
      const suffix = masters === 3 ? "" : ` (${masters} master${masters === 1 ? "" : "s"})`;
      configs.push([`cluster, no resp${suffix}`, { CACHE_STORE: "redis", CACHE_PREFIX: prefix, CACHE_RESPONSES: "false" }, masters]);
      configs.push([`cluster${suffix}`, { CACHE_STORE: "redis", CACHE_PREFIX: `${prefix}r:` }, masters]);
    }
  }
  if (flags["rate-limits"]) {
    const unlimited = { RATE_LIMIT: "on", RATE_LIMIT_IP_COST: "1000000000", RATE_LIMIT_SUBJECT_COST: "1000000000" };
    configs.push(["redis, rate limits", { CACHE_STORE: "redis", CACHE_PREFIX: `${prefix}rl:`, ...unlimited }, "single"]);
  }
  console.log(
    `Catalog: ${real ? "Best Buy (real)" : "generated"}, ${products} products. ${flags.connections} connections, ` +
      `${flags.duration}s per cell after ${flags.warmup}s warm-up.`,
  );
  // Every configuration's gateway runs at once (ports port, port+1, ...) and each scenario is measured
  // on all of them in turn: a change of the machine's load hits every configuration alike.
  const wanted = flags.configs?.split(",").map((name) => name.trim());
  const chosen = configs.filter(
    ([config]) => !wanted || wanted.some((name) => (name.endsWith("*") ? config.startsWith(name.slice(0, -1)) : config === name)),
  );
  // The chosen cells' Redis servers, each started once (shared by the cells that name it).
  const servers = new Map<"single" | number, BenchRedis>();
  const gateways: { config: string; child: Awaited<ReturnType<typeof startGatewayProcess>>["child"]; url: string; redisPorts: number[] }[] = [];
  const rows: Row[] = [];
  let stopping = false;
  try {
    for (const [, , server] of chosen) {
      if (server === undefined || servers.has(server)) continue;
      if (server !== "single") servers.set(server, await ownBenchCluster(server));
      else servers.set(server, flags["redis-url"] ? existingBenchRedis(flags["redis-url"]) : await ownBenchRedis());
    }
    if (flags["pin-redis"]) await pinProcesses([...servers.values()].flatMap((redis) => redis.pids), flags["pin-redis"]);
    for (const [i, [config, env, server]] of chosen.entries()) {
      const redis = server === undefined ? undefined : servers.get(server)!;
      const { child, url: gatewayUrl } = await startGatewayProcess({
        NODE_ENV: "production",
        JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123",
        PORT: String(port + i),
        DATABASE_URL: databaseUrl,
        MIGRATE_ON_START: "false",
        LOG_LEVEL: "warn",
        INTROSPECTION: "false",
        // One client IP drives thousands of requests a second: the production budgets would refuse it (--rate-limits measures them).
        RATE_LIMIT: "off",
        ...redis?.env,
        ...env,
      });
      // A gateway that dies mid-run (killed by something else on a shared machine) is said, not measured as a hang.
      child.once("exit", (code, signal) => stopping || process.stderr.write(`gateway "${config}" on port ${port + i} exited (${signal ?? code}) during the run\n`));
      gateways.push({ config, child, url: gatewayUrl, redisPorts: redis?.ports ?? [] });
    }
    for (const scenario of mix) {
      for (const { config, url: gatewayUrl, redisPorts } of gateways) {
        process.stderr.write(`  ${config}: ${scenario.name}...\n`);
        rows.push(await measure(config, gatewayUrl, redisPorts, scenario));
      }
    }
  } finally {
    stopping = true;
    for (const { child } of gateways) await stopGatewayProcess(child);
    for (const redis of servers.values()) await redis.dispose();
  }
  rows.sort((a, b) => mix.findIndex((s) => s.name === a.scenario) - mix.findIndex((s) => s.name === b.scenario));
  printTable(rows);
  if (flags.cluster) printClusterRatio(rows);

  if (flags["redis-url"] && servers.has("single")) {
    const redis = new Redis(flags["redis-url"]);
    const keys = await redis.keys(`${prefix}*`); // the bench's own keys on a Redis it did not start, after the run
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
