import path from "node:path";
import { parseArgs } from "node:util";
import { Client } from "pg";
import { createDatabase } from "../src/data/database";
import type { PrismaClient } from "../src/generated/prisma/client";
import { searchQueries } from "./search-queries";

/**
 * Where uncached TEXT search time goes (README.md, "Search and statistics"): the 50 queries of
 * bench/search.ts run through the text side (`matchGracefully`, as the gateway does), each SQL
 * statement they send re-run under EXPLAIN (ANALYZE, TIMING OFF), best of --repeat; the server's
 * planning + execution time summed per search. With --against <another checkout> (main's, say) the
 * same queries run through that checkout's code too, interleaved query by query, so both see the
 * same load: the figures to compare on a machine others are loading.
 *
 * With --overlap (and --against), it compares the two checkouts' answers instead: the top 20 and
 * top 1000 they share, the 20th hit's score and the totals (what a candidate limit changes).
 *
 *   node --experimental-vm-modules -r ts-node/register/transpile-only bench/search-explain.ts
 *     [--database-name cg_bench_search_100000_1000] [--repeat 5] [--against /work/main] [--plan "<query>"]
 *     [--candidate-limit 2000] [--overlap]
 */
const { values: flags } = parseArgs({
  options: {
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    "database-name": { type: "string", default: "cg_bench_search_100000_1000" },
    repeat: { type: "string", default: "5" },
    against: { type: "string" },
    /** With --against: compare the answers instead (top 20 and top 1000 in common, totals), not the times. */
    overlap: { type: "boolean", default: false },
    /** Print the plans (EXPLAIN ANALYZE, BUFFERS) of this one query's statements instead. */
    plan: { type: "string" },
    limit: { type: "string", default: "1000" },
    /** SEARCH_CANDIDATE_LIMIT of the text side (a checkout without it reads every match). */
    "candidate-limit": { type: "string", default: "2000" },
  },
});

interface Source {
  name: string;
  // The text side of that checkout, as the gateway calls it: the statements it sends for one query.
  statements(prisma: PrismaClient, query: string): Promise<{ sql: string; params: unknown[] }[]>;
  // Its answer: ranked ids, best first, and the total.
  answer(prisma: PrismaClient, query: string): Promise<{ ids: number[]; scores: number[]; total: number }>;
}

function loadSource(root: string, name: string): Source {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { matchGracefully } = require(path.join(root, "src/modules/search/graceful-match"));
  const { planTextQuery } = require(path.join(root, "src/data/search/text-query"));
  const { DEFAULT_SYNONYMS_FILE, loadSynonyms } = require(path.join(root, "src/data/search/synonyms"));
  /* eslint-enable @typescript-eslint/no-require-imports */
  const synonyms = loadSynonyms(DEFAULT_SYNONYMS_FILE);
  const base = { exclusions: null, vectorIds: [], scope: { categoryId: null, filter: {} }, limit: Number(flags.limit), facetValues: 50, candidateLimit: Number(flags["candidate-limit"]) };
  return {
    name,
    async statements(prisma, query) {
      const sent: { sql: string; params: unknown[] }[] = [];
      // The real client, with every raw statement recorded on its way.
      const recording = new Proxy(prisma, {
        get(target, key, receiver) {
          if (key !== "$queryRawUnsafe") return Reflect.get(target, key, receiver);
          return (sql: string, ...params: unknown[]) => {
            sent.push({ sql, params });
            return target.$queryRawUnsafe(sql, ...params);
          };
        },
      });
      await matchGracefully(recording, planTextQuery(query, synonyms), base);
      return sent;
    },
    async answer(prisma, query) {
      const { summary } = await matchGracefully(prisma, planTextQuery(query, synonyms), base);
      const ranked: { id: number; score: number }[] = summary.ranked;
      return { ids: ranked.map((hit) => hit.id), scores: ranked.map((hit) => hit.score), total: summary.totalCount };
    },
  };
}

async function main() {
  const url = new URL(flags["pg-url"]!);
  url.pathname = `/${flags["database-name"]}`;
  const db = await createDatabase({ kind: "postgres", url: url.toString(), poolSize: 2 });
  const pg = new Client({ connectionString: url.toString() });
  await pg.connect();
  const sources = [loadSource(path.resolve(__dirname, ".."), "this checkout"), ...(flags.against ? [loadSource(path.resolve(flags.against), flags.against)] : [])];
  const queries = flags.plan ? [flags.plan] : await searchQueries((text) => db.sql.query(text));
  if (flags.overlap && sources.length === 2) {
    await printOverlap(sources, db.prisma, queries);
    await pg.end();
    await db.close();
    return;
  }
  const repeat = Number(flags.repeat);
  const rows: { query: string; bySource: { statements: number; ms: number[] }[] }[] = [];
  for (const query of queries) {
    const sent = await Promise.all(sources.map((source) => source.statements(db.prisma, query)));
    if (flags.plan) {
      for (const [i, statements] of sent.entries()) {
        for (const { sql, params } of statements) {
          const result = await pg.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
          console.log(`-- ${sources[i].name}\n${result.rows.map((row) => row["QUERY PLAN"]).join("\n")}\n`);
        }
      }
      continue;
    }
    const best = sent.map((statements) => statements.map(() => Infinity));
    // Interleaved: each round runs every source's statements once, so a burst of load hits both.
    for (let round = 0; round < repeat; round++) {
      for (const [i, statements] of sent.entries()) {
        for (const [j, { sql, params }] of statements.entries()) {
          const [plan] = (await pg.query(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`, params)).rows[0]["QUERY PLAN"];
          best[i][j] = Math.min(best[i][j], plan["Planning Time"] + plan["Execution Time"]);
        }
      }
    }
    rows.push({ query, bySource: best.map((ms) => ({ statements: ms.length, ms })) });
  }
  await pg.end();
  await db.close();
  if (flags.plan) return;
  const sum = (ms: number[]) => ms.reduce((a, b) => a + b, 0);
  console.log(`| query | ${sources.map((s) => `${s.name}: statements, ms`).join(" | ")} |`);
  console.log(`|---|${sources.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.query} | ${row.bySource.map((s) => `${s.statements}: ${s.ms.map((ms) => ms.toFixed(1)).join(" + ")}`).join(" | ")} |`);
  console.log(`\nPlanning + execution per search, best of ${repeat} per statement, ${rows.length} queries:`);
  console.log(`| checkout | statements/search | p50 ms | p90 ms | p99 ms | max ms | sum ms |`);
  console.log(`|---|---|---|---|---|---|---|`);
  for (const [i, source] of sources.entries()) {
    const totals = rows.map((row) => sum(row.bySource[i].ms)).sort((a, b) => a - b);
    const at = (q: number) => totals[Math.min(totals.length - 1, Math.ceil(q * totals.length) - 1)].toFixed(1);
    const statements = rows.reduce((n, row) => n + row.bySource[i].statements, 0) / rows.length;
    console.log(`| ${source.name} | ${statements.toFixed(2)} | ${at(0.5)} | ${at(0.9)} | ${at(0.99)} | ${totals[totals.length - 1].toFixed(1)} | ${sum(totals).toFixed(0)} |`);
  }
}

// How far this checkout's answers are from the other's: the top 20 and the top 1000 they share, the
// 20th hit's score (a shortlist that misses better matches shows a lower one), and both totals.
async function printOverlap(sources: Source[], prisma: PrismaClient, queries: string[]) {
  const names = sources.map((s) => s.name).join(" / ");
  console.log(`| query | top 20 in common | same top 20 order | top 1000 in common | 20th score: ${names} | total: ${names} |`);
  console.log(`|---|---|---|---|---|---|`);
  let shared20 = 0;
  let same = 0;
  for (const query of queries) {
    const [a, b] = await Promise.all(sources.map((source) => source.answer(prisma, query)));
    const common = (n: number) => a.ids.slice(0, n).filter((id) => b.ids.slice(0, n).includes(id)).length;
    const top = Math.min(20, b.ids.length);
    const identical = a.ids.slice(0, 20).join() === b.ids.slice(0, 20).join();
    shared20 += top ? common(20) / top : 1;
    same += identical ? 1 : 0;
    const twentieth = (scores: number[]) => (scores.length ? scores[Math.min(20, scores.length) - 1].toFixed(4) : "-");
    console.log(
      `| ${query} | ${common(20)}/${top} | ${identical ? "yes" : "no"} | ${common(1000)}/${Math.min(1000, b.ids.length)} | ${twentieth(a.scores)} / ${twentieth(b.scores)} | ${a.total} / ${b.total} |`,
    );
  }
  console.log(`\nTop 20 in common, mean: ${(shared20 / queries.length).toFixed(3)}; same top 20 in the same order: ${same} of ${queries.length} queries.`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
