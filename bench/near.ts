import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../src/config";
import { createDatabase } from "../src/data/database";
import { startGateway, type Gateway } from "../src/server";
import { scenarios } from "./scenarios";

/**
 * The executed path with and without the near cache, in one process and one run (bench/README.md,
 * "Near cache"): two gateways over the bench's catalog database and one Redis (whole responses off,
 * so every request is executed), sent the same requests one at a time, alternating in rounds so
 * that the machine's load weighs on both alike. Per request: the process's CPU time (gateway and
 * this client; the client's part is the same for both), wall time, store round trips and barrier
 * PINGs (exact counts). Medians over the rounds.
 *
 *   npm run bench:near -- --only productBySku --rounds 5 --requests 200
 */

const { values: flags } = parseArgs({
  options: {
    database: { type: "string", default: "cg_bench_gen_20000_500" },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
    rounds: { type: "string", default: "5" },
    requests: { type: "string", default: "200" },
    only: { type: "string" },
  },
});

interface Cell {
  cpuUs: number[];
  wallUs: number[];
  roundTrips: number;
  barriers: number;
  requests: number;
}

async function main() {
  const url = new URL(flags["pg-url"]!);
  url.pathname = `/${flags.database}`;
  const db = await createDatabase({ kind: "postgres", url: url.toString(), poolSize: 4 });
  const mix = (await scenarios(db)).filter((s) => !flags.only || s.name.includes(flags.only));
  const prefix = `cg:bench-near:${Date.now()}:`;
  const variants: [string, Record<string, string>][] = [
    ["near off", { NEAR_CACHE: "off" }],
    ["near on", { NEAR_CACHE: "on" }],
    ["near on, no barrier", { NEAR_CACHE: "on", NEAR_CACHE_BARRIER: "off" }],
  ];
  const gateways: [string, Gateway][] = [];
  for (const [name, env] of variants) {
    const config = loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      MIGRATE_ON_START: "false",
      DATABASE_URL: url.toString(),
      REDIS_URL: flags["redis-url"]!,
      CACHE_STORE: "redis",
      CACHE_PREFIX: `${prefix}${gateways.length}:`,
      CACHE_RESPONSES: "false",
      LOG_LEVEL: "silent",
      ...env,
    });
    const gateway = await startGateway(config, { db });
    await gateway.cache.near?.ready();
    gateways.push([name, gateway]);
  }
  const rounds = Number(flags.rounds);
  const requests = Number(flags.requests);
  try {
    for (const scenario of mix) {
      const cells = new Map<string, Cell>(gateways.map(([name]) => [name, { cpuUs: [], wallUs: [], roundTrips: 0, barriers: 0, requests: 0 }]));
      const send = async (gateway: Gateway, i: number) => {
        const response = await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: scenario.bodies[i % scenario.bodies.length] });
        if (!response.ok) throw new Error(`${scenario.name}: HTTP ${response.status}`);
        await response.text();
      };
      for (const [, gateway] of gateways) for (let i = 0; i < 3 * scenario.bodies.length + 20; i += 1) await send(gateway, i);
      for (let round = 0; round < rounds; round += 1) {
        for (const [name, gateway] of gateways) {
          const cell = cells.get(name)!;
          const roundTrips = gateway.cache.store!.roundTrips;
          const barriers = gateway.cache.near?.barriers.sent ?? 0;
          const cpu = process.cpuUsage();
          const started = performance.now();
          for (let i = 0; i < requests; i += 1) await send(gateway, i);
          const wallMs = performance.now() - started;
          const used = process.cpuUsage(cpu);
          cell.cpuUs.push((used.user + used.system) / requests);
          cell.wallUs.push((wallMs * 1000) / requests);
          cell.roundTrips += gateway.cache.store!.roundTrips - roundTrips;
          cell.barriers += (gateway.cache.near?.barriers.sent ?? 0) - barriers;
          cell.requests += requests;
        }
      }
      const base = cells.get("near off")!;
      console.log(`\n${scenario.name}`);
      console.log(`| gateway | CPU us/req | wall us/req | store RT/req | barrier PINGs/req | CPU x near off |`);
      console.log(`|---|---|---|---|---|---|`);
      for (const [name, cell] of cells) {
        console.log(
          `| ${name} | ${median(cell.cpuUs).toFixed(0)} | ${median(cell.wallUs).toFixed(0)} | ${(cell.roundTrips / cell.requests).toFixed(2)} | ` +
            `${(cell.barriers / cell.requests).toFixed(2)} | ${(median(cell.cpuUs) / median(base.cpuUs)).toFixed(2)}x |`,
        );
      }
    }
  } finally {
    for (const [, gateway] of gateways) await gateway.stop();
    await db.close();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
