import { makeExecutableSchema } from "@graphql-tools/schema";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { parse } from "graphql";
import { compileQuery, isCompiledQuery } from "graphql-jit";
import { loadConfig } from "../src/config";
import { createDatabase } from "../src/data/database";
import { resolvers } from "../src/modules";
import { startGateway } from "../src/server";
import { scenarios } from "./scenarios";
import { printTable } from "./markdown-table";

/**
 * Serializing a result: `JSON.stringify` (what Apollo Server does with every response) against the
 * per-query `stringify` graphql-jit compiles with `customJSONSerializer` (fast-json-stringify over a
 * JSON schema of the query's result), on the real results of the bench's scenarios (bench/README.md,
 * "Serialization"). A gateway in this process answers each scenario once (whole responses off, an
 * in-process cache); both functions then serialize that same result, interleaved in rounds, and the
 * table gives the median per call and the ratio of the run.
 */

const { values: flags } = parseArgs({
  options: {
    database: { type: "string", default: "cg_bench_real" },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    rounds: { type: "string", default: "30" },
  },
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

// Calls per timed batch: enough that one batch of the smallest result lasts well over a millisecond.
function callsFor(bytes: number): number {
  return Math.max(20, Math.round(2_000_000 / Math.max(bytes, 1)));
}

async function main() {
  const url = new URL(flags["pg-url"]!);
  url.pathname = `/${flags.database}`;
  const db = await createDatabase({ kind: "postgres", url: url.toString(), poolSize: 4 });
  const mix = await scenarios(db);
  await db.close();
  const gateway = await startGateway(
    loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      LOG_LEVEL: "silent",
      DATABASE_URL: url.toString(),
      MIGRATE_ON_START: "false",
      CACHE_STORE: "memory",
      CACHE_RESPONSES: "false",
      RATE_LIMIT: "off",
    }),
  );
  const schema = makeExecutableSchema({ typeDefs: readFileSync(`${__dirname}/../schema.graphql`, "utf8"), resolvers });
  const rounds = Number(flags.rounds);
  const rows: string[][] = [];
  try {
    for (const scenario of mix) {
      const request = JSON.parse(scenario.bodies[0]) as { query: string; variables?: Record<string, unknown> };
      const response = await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: scenario.bodies[0] });
      const result = (await response.json()) as Record<string, unknown>;
      const compiled = compileQuery(schema, parse(request.query), undefined, { customJSONSerializer: true });
      if (!isCompiledQuery(compiled)) throw new Error(`${scenario.name}: did not compile`);
      const plain = JSON.stringify(result);
      const fast = compiled.stringify(result);
      const same = isDeepStrictEqual(JSON.parse(fast), result);
      const calls = callsFor(plain.length);
      const timed = { json: [] as number[], compiled: [] as number[] };
      for (let round = 0; round < rounds; round += 1) {
        // Alternate which goes first, so neither always runs on a warmer (or busier) moment.
        const order = round % 2 === 0 ? (["json", "compiled"] as const) : (["compiled", "json"] as const);
        for (const which of order) {
          const run = which === "json" ? JSON.stringify : compiled.stringify;
          const t = performance.now();
          for (let i = 0; i < calls; i += 1) run(result);
          timed[which].push(((performance.now() - t) * 1000) / calls);
        }
      }
      const json = median(timed.json);
      const fastUs = median(timed.compiled);
      rows.push([scenario.name, (plain.length / 1024).toFixed(1), json.toFixed(1), fastUs.toFixed(1), `${(json / fastUs).toFixed(2)}x`, same ? "yes" : "no"]);
    }
  } finally {
    await gateway.stop();
  }
  const header = ["scenario", "KiB", "JSON.stringify (µs)", "compiled stringify (µs)", "speed-up", "same JSON"];
  printTable(header, rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
