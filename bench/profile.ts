import type { ApolloServerPlugin } from "@apollo/server";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../src/config";
import type { Context } from "../src/context";
import type { CacheStore } from "../src/cache/store";
import { startGateway } from "../src/server";
import { createDatabase } from "../src/data/database";
import { scenarios } from "./scenarios";
import { printTable } from "./markdown-table";

/**
 * Where one executed request spends its time, per bench scenario (bench/README.md, "Profile"). A
 * gateway runs in this process over the bench's catalog database and Redis, with whole responses
 * off (every request executed); requests are sent one at a time, so the phases do not overlap:
 * - parse and validate: Apollo's hooks, on the first request of a document (later ones hit
 *   Apollo's document cache and skip both);
 * - execute: Apollo's execution hooks, split into store round trips (every store call, timed by
 *   wrapping the store), decode (JSON.parse of each entry the request read, plus the by-name
 *   revival the row codecs do, timed apart on the same texts) and the rest: resolvers, loaders,
 *   DataLoader scheduling, the read path's own work;
 * - outside Apollo: HTTP, body parsing, the edge checks, context and loader creation, the response's
 *   serialization, and the client in this same process (total at the client minus Apollo's part).
 * Each figure is the median over the measured requests, in milliseconds.
 */

const { values: flags } = parseArgs({
  options: {
    database: { type: "string", default: "cg_bench_gen_100000_1000" },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
    requests: { type: "string", default: "40" },
    only: { type: "string" },
  },
});

interface Sample {
  parse: number;
  validate: number;
  execute: number;
  store: number;
  storeCalls: number;
  decode: number;
  entries: number;
  apollo: number;
  total: number;
  bytes: number;
}

let current: Sample = blank();
function blank(): Sample {
  return { parse: 0, validate: 0, execute: 0, store: 0, storeCalls: 0, decode: 0, entries: 0, apollo: 0, total: 0, bytes: 0 };
}

const timing: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    const started = performance.now();
    return {
      async parsingDidStart() {
        const t = performance.now();
        return async () => void (current.parse = performance.now() - t);
      },
      async validationDidStart() {
        const t = performance.now();
        return async () => void (current.validate = performance.now() - t);
      },
      async executionDidStart() {
        const t = performance.now();
        return { async executionDidEnd() { current.execute = performance.now() - t; } };
      },
      async willSendResponse({ contextValue }) {
        current.apollo = performance.now() - started;
        const entries = [...contextValue.cacheTrace.observed.values()].filter((raw) => raw.startsWith("v"));
        current.entries = entries.length;
        current.decode = decodeCost(entries);
      },
    };
  },
};

// What decoding `entries` costs: the payload parsed, and Date revival of the fields the row codecs
// revive by name (createdAt, updatedAt; decimals are few and left out).
function decodeCost(entries: string[]): number {
  const t = performance.now();
  for (const raw of entries) {
    const value = JSON.parse(raw.slice(raw.indexOf("|") + 1)) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const row = value as Record<string, unknown>;
      for (const name of ["createdAt", "updatedAt"]) if (typeof row[name] === "string") row[name] = new Date(row[name] as string);
    }
  }
  return performance.now() - t;
}

// Every store call timed into the current sample (calls of one request do not overlap much: the
// loaders batch each level into one call).
function timedStore(store: CacheStore): CacheStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const t = performance.now();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        current.storeCalls += 1;
        return result.finally(() => void (current.store += performance.now() - t));
      };
    },
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main() {
  const url = new URL(flags["pg-url"]!);
  url.pathname = `/${flags.database}`;
  const db = await createDatabase({ kind: "postgres", url: url.toString(), poolSize: 4 });
  const mix = (await scenarios(db)).filter((s) => !flags.only || s.name.includes(flags.only));
  await db.close();

  const config = loadConfig({
    NODE_ENV: "production",
    PORT: "0",
    LOG_LEVEL: "silent",
    DATABASE_URL: url.toString(),
    MIGRATE_ON_START: "false",
    CACHE_STORE: "redis",
    REDIS_URL: flags["redis-url"]!,
    CACHE_PREFIX: `cg:profile:${Date.now()}:`,
    CACHE_RESPONSES: "false",
    // EXECUTOR=graphql-js npm run bench:profile: the same requests without the compiled executor.
    ...(process.env.EXECUTOR ? { EXECUTOR: process.env.EXECUTOR } : {}),
    // The measured requests are many and costly (the tree): no rate limit may answer them instead.
    RATE_LIMIT: "off",
    // Production refuses to start without one; nothing here writes.
    JWT_SECRET: "profile-only-secret-0123456789abcdef",
  });
  const gateway = await startGateway(config, { plugins: [timing] });
  gateway.cache.store = timedStore(gateway.cache.store!);
  const requests = Number(flags.requests);
  const rows: string[][] = [];
  try {
    for (const scenario of mix) {
      const send = async (payload: string) => {
        current = blank();
        const t = performance.now();
        const response = await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: payload });
        const text = await response.text();
        current.total = performance.now() - t;
        current.bytes = text.length;
        if (!response.ok || text.includes('"errors"')) throw new Error(`${scenario.name}: ${text.slice(0, 300)}`);
        return current;
      };
      // The first request of each body fills the cache and is the one Apollo parses and validates.
      const first = await send(scenario.bodies[0]);
      for (const payload of scenario.bodies.slice(1)) await send(payload);
      for (let i = 0; i < 5; i += 1) await send(scenario.bodies[i % scenario.bodies.length]);
      const samples: Sample[] = [];
      for (let i = 0; i < requests; i += 1) samples.push(await send(scenario.bodies[i % scenario.bodies.length]));
      const m = (field: keyof Sample) => median(samples.map((s) => s[field]));
      const rest = median(samples.map((s) => s.execute - s.store - s.decode));
      const outside = median(samples.map((s) => s.total - s.apollo));
      rows.push([
        scenario.name,
        first.parse.toFixed(2),
        first.validate.toFixed(2),
        m("execute").toFixed(2),
        `${m("store").toFixed(2)} (${m("storeCalls")})`,
        `${m("decode").toFixed(2)} (${m("entries")})`,
        rest.toFixed(2),
        outside.toFixed(2),
        m("total").toFixed(2),
        String(Math.round(m("bytes") / 1024)),
      ]);
    }
  } finally {
    await gateway.stop();
  }
  const header = ["scenario", "parse*", "validate*", "execute", "store (calls)", "decode (entries)", "resolvers+rest", "outside Apollo", "total", "KiB"];
  printTable(header, rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
