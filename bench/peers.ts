import autocannon from "autocannon";
import { Redis } from "ioredis";
import type { ChildProcess } from "node:child_process";
import { parseArgs } from "node:util";
import { signToken } from "../src/auth";
import { body, post, startGatewayProcess, stopGatewayProcess } from "./gateway-process";
import { openBenchDatabase } from "./peers/bench-database";
import { isPeerName, peers, type PeerName } from "./peers/index";
import { createMixes, PRICE_WRITE, SKU_QUERY, type Mix, type WrittenProduct } from "./peers/mixes";
import { startPeerProcess } from "./peers/peer-process";
import { printTable } from "./markdown-table";

/**
 * The gateway beside its peers (issue #11, item 7): the same PostgreSQL database, the same query
 * mixes and the same load for the gateway (whole responses on, then off) and five peers, each its
 * own process, one at a time; one table of req/s with a staleness probe per server. See bench/README.md.
 */

const { values: flags } = parseArgs({
  options: {
    catalog: { type: "string", default: "generated" },
    products: { type: "string", default: "100000" },
    categories: { type: "string", default: "1000" },
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "32" },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
    only: { type: "string" },
    servers: { type: "string" },
    probes: { type: "string", default: "50" },
    baseline: { type: "string" },
    port: { type: "string", default: "4411" },
    database: { type: "string" },
    "gateway-env": { type: "string", multiple: true },
    ttl: { type: "string", default: "60" },
  },
});

const JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123";
// Every server of the run listens here in turn; another bench running at once needs another (`--port`).
const PORT = flags.port!;

/** A column of the table: the gateway in one configuration, or a peer. */
interface Server {
  name: string;
  start(): Promise<{ child: ChildProcess; url: string }>;
}

interface Cell {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The gateway's own counters per measured request (Query.cacheStats), and Redis's CPU per request (INFO commandstats). */
  counters?: { sql: number; roundTrips: number; respHitRate: number | null; redisMicros: number | null; cpuMicros: number };
}

interface Column {
  server: string;
  cells: Map<string, Cell>;
  /** Reads after a write that showed the old price, of `probes`; undefined when there is nothing to probe. */
  stale?: number;
  /** Distinct reads whose answer differed from the gateway's (or had errors). */
  mismatches: string[];
}

function drive(url: string, mix: Mix, seconds: number) {
  const connections = Number(flags.connections);
  // One request is sent as is (autocannon builds it once); several rotate through `requests`.
  const [first] = mix.requests;
  const load = mix.requests.length === 1 ? { method: first.method, headers: first.headers, body: first.body } : { requests: mix.requests };
  return autocannon({ url, connections, duration: seconds, ...load });
}

async function measure(url: string, mix: Mix, gateway: boolean, redis: Redis): Promise<Cell> {
  await drive(url, mix, Number(flags.warmup));
  const before = gateway ? await gatewayCounters(url, redis) : null;
  const result = await drive(url, mix, Number(flags.duration));
  const cell: Cell = { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
  if (before) {
    const after = await gatewayCounters(url, redis);
    const requests = Math.max(1, result.requests.total);
    const lookups = after.respHits + after.respMisses - before.respHits - before.respMisses;
    cell.counters = {
      sql: (after.sql - before.sql) / requests,
      roundTrips: (after.roundTrips - before.roundTrips) / requests,
      respHitRate: lookups > 0 ? (after.respHits - before.respHits) / lookups : null,
      redisMicros: after.redisMicros === null || before.redisMicros === null ? null : (after.redisMicros - before.redisMicros) / requests,
      cpuMicros: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / requests,
    };
  }
  return cell;
}

/**
 * The gateway's SQL statements, store round trips and whole-response lookups so far (Query.cacheStats), and the
 * CPU time Redis has spent on commands (INFO commandstats: meaningful only on a Redis of the bench's own).
 */
async function gatewayCounters(url: string, redis: Redis) {
  const { data } = await post(url, body(`{ cacheStats { sqlStatements storeRoundTrips families { family hits misses } } }`));
  const resp = (data.cacheStats.families as { family: string; hits: number; misses: number }[]).find((f) => f.family === "resp");
  const stats = await redis.info("commandstats");
  // The gateway's own CPU time: robust where req/s is not (a machine shared with other work).
  const metrics = await fetch(new URL("/metrics", url)).then((response) => response.text());
  const cpu = /^process_cpu_seconds_total (\S+)$/m.exec(metrics);
  const micros = [...stats.matchAll(/usec=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
  return {
    sql: data.cacheStats.sqlStatements as number,
    roundTrips: data.cacheStats.storeRoundTrips as number,
    respHits: resp?.hits ?? 0,
    respMisses: resp?.misses ?? 0,
    redisMicros: stats ? micros : null,
    cpuSeconds: cpu ? Number(cpu[1]) : 0,
  };
}

/** Read a product's price, change it through the server's mutation, read `probes` times: how many showed the old price. */
async function probeStaleness(url: string, product: WrittenProduct, writeHeaders: Record<string, string>): Promise<number> {
  const read = async () => {
    const answer = await post(url, body(SKU_QUERY, { sku: product.sku }));
    return answer.data?.productBySku?.price as number | undefined;
  };
  const before = await read();
  await read();
  const written = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...writeHeaders },
    body: body(PRICE_WRITE, { id: String(product.id), price: (before ?? product.price) + 2 }),
  }).then((response) => response.json());
  if (written.errors) throw new Error(`the probe's write failed on ${url}: ${JSON.stringify(written.errors)}`);
  let stale = 0;
  for (let i = 0; i < Number(flags.probes); i += 1) if ((await read()) === before) stale += 1;
  return stale;
}

function printTables(allColumns: Column[], mixes: Mix[]) {
  let columns = allColumns;
  const table = (title: string, rows: string[][]) => {
    const header = [title, ...columns.map((column) => column.server)];
    printTable(header, rows);
    console.log();
  };
  const cellOf = (column: Column, mix: Mix, show: (cell: Cell) => string) => {
    const cell = column.cells.get(mix.name);
    if (!cell) return "-";
    // Nothing answered within the window: say so rather than print a rate of 0 that reads like a measurement.
    if (cell.rps === 0 && cell.errors === 0) return `none in ${flags.duration} s`;
    return `${show(cell)}${cell.errors ? ` (${cell.errors} err)` : ""}`;
  };
  table("mix (req/s)", [
    ...mixes.map((mix) => [mix.name, ...columns.map((column) => cellOf(column, mix, (cell) => cell.rps.toFixed(0)))]),
    ["stale reads after a write", ...columns.map((column) => (column.stale === undefined ? "-" : `${column.stale} of ${flags.probes}`))],
  ]);
  table("mix (p50 / p99 ms)", mixes.map((mix) => [mix.name, ...columns.map((column) => cellOf(column, mix, (cell) => `${cell.p50} / ${cell.p99}`))]));
  const counted = columns.filter((column) => [...column.cells.values()].some((cell) => cell.counters));
  if (counted.length) {
    const saved = columns;
    columns = counted;
    table(
      "per request: SQL / RT / resp hit rate / gateway CPU µs / Redis µs",
      mixes.map((mix) => [
        mix.name,
        ...counted.map((column) =>
          cellOf(column, mix, ({ counters: c }) =>
            c ? `${c.sql.toFixed(2)} / ${c.roundTrips.toFixed(2)} / ${c.respHitRate === null ? "-" : `${(c.respHitRate * 100).toFixed(1)}%`} / ${c.cpuMicros.toFixed(0)} / ${c.redisMicros?.toFixed(0) ?? "-"}` : "-",
          ),
        ),
      ]),
    );
    columns = saved;
  }
  for (const column of columns) {
    if (column.mismatches.length) console.log(`${column.server}: ${column.mismatches.length} reads answered differently from the gateway, e.g. ${column.mismatches[0]}`);
  }
}

async function main() {
  const real = flags.catalog === "real";
  const { url: databaseUrl, db } = await openBenchDatabase(flags["pg-url"]!, {
    real,
    products: Number(flags.products),
    categories: Number(flags.categories),
    name: flags.database,
  });
  const editor = { authorization: `Bearer ${await signToken(JWT_SECRET, "bench", ["editor"])}` };
  const reader = { authorization: `Bearer ${await signToken(JWT_SECRET, "shopper", [])}` };
  const { mixes: allMixes, reads, written, probed } = await createMixes(db, editor, reader);
  const mixes = allMixes.filter((mix) => !flags.only || mix.name.includes(flags.only));
  const [{ products }] = await db.sql.query<{ products: string }>(`SELECT count(*) AS products FROM products`);
  const restorePrices = () =>
    Promise.all(written.map((product) => db.sql.query(`UPDATE products SET price = $2 WHERE id = $1`, [product.id, product.price])));

  const prefix = `cg:bench:peers:${Date.now()}:`;
  // `--gateway-env REDIS_COMMAND_TIMEOUT_MS=2000`: on a machine loaded by other work the default 250 ms
  // store timeout trips, the circuit opens and the gateway measures its fallback instead of its cache.
  const gatewayEnv = Object.fromEntries((flags["gateway-env"] ?? []).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
  let fixedBody: string | undefined;
  const gateway = (name: string, env: Record<string, string>, root?: string): Server => ({
    name,
    start: () =>
      startGatewayProcess(
        {
        NODE_ENV: "production",
        JWT_SECRET,
        PORT,
        DATABASE_URL: databaseUrl,
        MIGRATE_ON_START: "false",
        LOG_LEVEL: "warn",
        INTROSPECTION: "false",
        // The peers have none, and one client IP drives the load: the production rate limits would refuse it.
        RATE_LIMIT: "off",
        CACHE_STORE: "redis",
        REDIS_URL: flags["redis-url"]!,
        ...env,
        ...gatewayEnv,
        },
        // ts-node compiles the gateway at start: minutes on a machine loaded by other work.
        180_000,
        root,
      ),
  });
  const peer = (name: PeerName): Server => ({
    name,
    start: () =>
      startPeerProcess(name, {
        NODE_ENV: "production",
        PORT,
        DATABASE_URL: databaseUrl,
        REDIS_URL: flags["redis-url"]!,
        PEER_CACHE_PREFIX: `${prefix}${name}:`,
        PEER_TTL_SECONDS: flags.ttl!,
        ...(fixedBody ? { PEER_FIXED_BODY: fixedBody } : {}),
      }),
  });
  const servers = [
    gateway("gateway", { CACHE_PREFIX: `${prefix}gw:` }),
    // Another checkout of the gateway (`--baseline <dir>`, its node_modules and src/generated in place): before/after in one run.
    ...(flags.baseline ? [gateway("gateway-baseline", { CACHE_PREFIX: `${prefix}gwb:` }, flags.baseline)] : []),
    gateway("gateway-no-resp", { CACHE_PREFIX: `${prefix}gwx:`, CACHE_RESPONSES: "false" }),
    ...(Object.keys(peers) as PeerName[]).map(peer),
  ].filter((server) => !flags.servers || flags.servers.split(",").includes(server.name));
  const unknown = flags.servers?.split(",").filter((name) => !name.startsWith("gateway") && !isPeerName(name)) ?? [];
  if (unknown.length) throw new Error(`--servers: unknown ${unknown.join(", ")}; gateway, gateway-no-resp or ${Object.keys(peers).join(", ")}`);

  console.log(
    `Catalog: ${real ? "Best Buy (real)" : "generated"}, ${products} products. ${flags.connections} connections, ` +
      `${flags.duration}s per cell after ${flags.warmup}s warm-up; ${flags.probes} reads per staleness probe; peer cache TTL ${flags.ttl}s.`,
  );
  const redis = new Redis(flags["redis-url"]!);
  const expected = new Map<string, string>();
  const columns: Column[] = [];
  for (const server of servers) {
    const column: Column = { server: server.name, cells: new Map(), mismatches: [] };
    const { child, url } = await server.start();
    try {
      if (server.name !== "fixed-body") {
        for (const request of reads) {
          const answer = JSON.stringify(await post(url, request.body));
          if (!expected.has(request.body)) expected.set(request.body, answer);
          else if (expected.get(request.body) !== answer) column.mismatches.push(`${request.body} -> ${answer.slice(0, 300)}`);
          if (answer.includes(`"errors"`)) column.mismatches.push(`${request.body} -> ${answer.slice(0, 300)}`);
        }
        fixedBody ??= expected.get(reads[0].body);
      }
      const isGateway = server.name.startsWith("gateway");
      for (const mix of mixes) {
        if (mix.gatewayOnly && !isGateway) continue;
        process.stderr.write(`  ${server.name}: ${mix.name}...\n`);
        column.cells.set(mix.name, await measure(url, mix, isGateway, redis));
      }
      if (server.name !== "fixed-body") column.stale = await probeStaleness(url, probed, editor);
    } finally {
      await stopGatewayProcess(child);
      await restorePrices();
    }
    columns.push(column);
  }
  await db.close();
  printTables(columns, mixes);

  const keys = await redis.keys(`${prefix}*`); // the bench's own keys, after the run
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
