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
    ttl: { type: "string", default: "60" },
  },
});

const JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123";
const PORT = "4411";

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

async function measure(url: string, mix: Mix): Promise<Cell> {
  await drive(url, mix, Number(flags.warmup));
  const result = await drive(url, mix, Number(flags.duration));
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
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

function printTables(columns: Column[], mixes: Mix[]) {
  const table = (title: string, rows: string[][]) => {
    const header = [title, ...columns.map((column) => column.server)];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
    console.log(format(header));
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const row of rows) console.log(format(row));
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
  });
  const editor = { authorization: `Bearer ${await signToken(JWT_SECRET, "bench", ["editor"])}` };
  const { mixes: allMixes, reads, written, probed } = await createMixes(db, editor);
  const mixes = allMixes.filter((mix) => !flags.only || mix.name.includes(flags.only));
  const [{ products }] = await db.sql.query<{ products: string }>(`SELECT count(*) AS products FROM products`);
  const restorePrices = () =>
    Promise.all(written.map((product) => db.sql.query(`UPDATE products SET price = $2 WHERE id = $1`, [product.id, product.price])));

  const prefix = `cg:bench:peers:${Date.now()}:`;
  let fixedBody: string | undefined;
  const gateway = (name: string, env: Record<string, string>): Server => ({
    name,
    start: () =>
      startGatewayProcess({
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
      }),
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
    gateway("gateway-no-resp", { CACHE_PREFIX: `${prefix}gwx:`, CACHE_RESPONSES: "false" }),
    ...(Object.keys(peers) as PeerName[]).map(peer),
  ].filter((server) => !flags.servers || flags.servers.split(",").includes(server.name));
  const unknown = flags.servers?.split(",").filter((name) => !name.startsWith("gateway") && !isPeerName(name)) ?? [];
  if (unknown.length) throw new Error(`--servers: unknown ${unknown.join(", ")}; gateway, gateway-no-resp or ${Object.keys(peers).join(", ")}`);

  console.log(
    `Catalog: ${real ? "Best Buy (real)" : "generated"}, ${products} products. ${flags.connections} connections, ` +
      `${flags.duration}s per cell after ${flags.warmup}s warm-up; ${flags.probes} reads per staleness probe; peer cache TTL ${flags.ttl}s.`,
  );
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
      for (const mix of mixes) {
        process.stderr.write(`  ${server.name}: ${mix.name}...\n`);
        column.cells.set(mix.name, await measure(url, mix));
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

  const redis = new Redis(flags["redis-url"]!);
  const keys = await redis.keys(`${prefix}*`); // the bench's own keys, after the run
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
