import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config";
import { createDatabase } from "../src/data/database";
import { importCatalog } from "../src/data/import/import-catalog";
import { migrate } from "../src/data/migrator";
import { SEED_FILES } from "../src/data/seed/seed-on-start";
import { startGateway } from "../src/server";
import { runCli } from "./cli-support";
import { createHash } from "node:crypto";
import { buildQuerySet, evalProducts, type EvalProduct, type LabelledQuery } from "./search-eval-queries";
import { createReferenceEngine } from "./search-eval-reference";

/**
 * `npm run search:eval`: search relevance on the Best Buy catalog (../shared/data) in the embedded
 * database (PGlite with pgvector and the local embedder), per mode, over the labelled query set of
 * search-eval-queries.ts. Prints, per mode and per kind of query:
 *   results   share of queries with at least one hit
 *   recall@20 relevant products in the top 20 / min(20, relevant products)
 *   nDCG@10   binary gains, ideal = min(10, relevant products)
 *   category  share of queries whose top 20 hits sit mostly (> half) in the expected category: the
 *             one where a reference store engine puts most of its top 20 (search-eval-reference.ts);
 *             a query without hits does not agree
 * and category agreement on each half of the set (split by a hash of the query): tune on "A",
 * check on "B", so that a change that only fits the queries it was tried on shows.
 *
 *   npm run search:eval -- [--data ../shared/data] [--kinds] [--show typo] [--failures] [--named]
 *   --failures  per mode, the queries whose top 20 disagree, with where their top 20 sat
 *   --named     label each query with the category it was written from instead (the old labels)
 *   --modes     the modes to run, comma-separated (default HYBRID,TEXT,VECTOR)
 */
const { values: flags } = parseArgs({
  options: {
    data: { type: "string", default: path.resolve(__dirname, "../../shared/data") },
    kinds: { type: "boolean", default: false },
    show: { type: "string" },
    failures: { type: "boolean", default: false },
    named: { type: "boolean", default: false },
    modes: { type: "string", default: "HYBRID,TEXT,VECTOR" },
  },
});

const MODES = ["HYBRID", "TEXT", "VECTOR"] as const;
const SEARCH = `query($q: String!, $mode: SearchMode) { search(query: $q, mode: $mode, first: 20) { hits { product { sku } } } }`;

interface Scores {
  results: number;
  recall: number;
  ndcg: number;
  agrees: number;
}

runCli(async () => {
  const files = { categoriesFile: path.join(flags.data, SEED_FILES.categories), productsFile: path.join(flags.data, SEED_FILES.products) };
  const products = evalProducts(JSON.parse(readFileSync(files.productsFile, "utf8")));
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const queries = buildQuerySet(products, flags.named ? undefined : createReferenceEngine(products).expectedCategory);
  const half = (q: LabelledQuery) => (createHash("sha1").update(q.query).digest()[0] % 2 === 0 ? "A" : "B");
  const db = await createDatabase({ kind: "pglite", dataDir: "memory://" });
  await migrate(db.sql);
  await importCatalog(db, files);
  // SEARCH_* settings of the environment apply (SEARCH_RRF_VECTOR_WEIGHT=1 npm run search:eval), to compare them.
  const searchSettings = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith("SEARCH_")));
  const config = loadConfig({ ...searchSettings, NODE_ENV: "development", PORT: "0", MIGRATE_ON_START: "false", CACHE_STORE: "none", LOG_LEVEL: "silent" });
  const gateway = await startGateway(config, { db });
  // The vectors are embedded in the background after the start: HYBRID and VECTOR need them all.
  await gateway.search.synced();
  try {
    const rows: { mode: string; kind: string; scores: Scores[] }[] = [];
    const failures: string[] = [];
    for (const mode of MODES.filter((m) => flags.modes.split(",").includes(m))) {
      const all: Scores[] = [];
      const perKind = new Map<string, Scores[]>();
      for (const q of queries) {
        const response = await fetch(gateway.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: SEARCH, variables: { q: q.query, mode } }),
        });
        const body = (await response.json()) as { data?: { search: { hits: { product: { sku: string } }[] } }; errors?: unknown[] };
        if (body.errors) throw new Error(`search ${JSON.stringify(q.query)} (${mode}) failed: ${JSON.stringify(body.errors)}`);
        const hits = body.data!.search.hits.map((hit) => bySku.get(hit.product.sku)!);
        const scores = score(q, hits);
        all.push(scores);
        perKind.set(q.kind, [...(perKind.get(q.kind) ?? []), scores]);
        perKind.set(`half ${half(q)}`, [...(perKind.get(`half ${half(q)}`) ?? []), scores]);
        if (flags.failures && scores.agrees === 0) {
          const where = new Map<string, number>();
          for (const hit of hits.slice(0, 20)) where.set(hit.path[hit.path.length - 1], (where.get(hit.path[hit.path.length - 1]) ?? 0) + 1);
          const spread = [...where].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, n]) => `${name} ${n}`).join(", ");
          failures.push(`${mode} ${q.kind} ${JSON.stringify(q.query)} -> ${q.category}: ${spread}`);
        }
        if (flags.show && (flags.show === q.kind || flags.show === "all") && mode === "HYBRID") {
          console.log(`${q.kind} ${JSON.stringify(q.query)} -> ${q.category}: ${hits.length} hits, agrees ${scores.agrees}, recall ${scores.recall.toFixed(2)}`);
          for (const hit of hits.slice(0, 5)) console.log(`    ${hit.path.slice(1).join(" > ")} | ${hit.name.slice(0, 70)}`);
        }
      }
      rows.push({ mode, kind: "all", scores: all });
      for (const [kind, list] of perKind) if (flags.kinds || kind.startsWith("half")) rows.push({ mode, kind, scores: list });
    }
    const kinds = new Map<string, number>();
    for (const q of queries) kinds.set(q.kind, (kinds.get(q.kind) ?? 0) + 1);
    console.log(`${queries.length} labelled queries (${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")})`);
    console.log(`| mode | queries | results | recall@20 | nDCG@10 | category agreement |`);
    console.log(`|---|---|---|---|---|---|`);
    for (const { mode, kind, scores } of rows) {
      const labelled = scores.filter((s) => !Number.isNaN(s.recall));
      const categorized = scores.filter((s) => !Number.isNaN(s.agrees));
      const mean = (list: Scores[], pick: (s: Scores) => number) => (list.length ? list.reduce((sum, s) => sum + pick(s), 0) / list.length : NaN);
      const pct = (x: number) => (Number.isNaN(x) ? "-" : `${(x * 100).toFixed(1)}%`);
      console.log(
        `| ${mode}${kind === "all" ? "" : ` ${kind}`} | ${scores.length} | ${pct(mean(scores, (s) => s.results))} | ${mean(labelled, (s) => s.recall).toFixed(3)} | ${mean(labelled, (s) => s.ndcg).toFixed(3)} | ${pct(mean(categorized, (s) => s.agrees))} |`,
      );
    }
    for (const line of failures) console.log(line);
  } finally {
    await gateway.stop();
    await db.close();
  }
});

function score(q: LabelledQuery, hits: readonly EvalProduct[]): Scores {
  const relevant = new Set(q.relevant);
  const top20 = hits.slice(0, 20);
  const found = top20.filter((hit) => relevant.has(hit.sku)).length;
  let dcg = 0;
  hits.slice(0, 10).forEach((hit, i) => (dcg += relevant.has(hit.sku) ? 1 / Math.log2(i + 2) : 0));
  let ideal = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  const inCategory = q.category === null ? 0 : top20.filter((hit) => hit.path.includes(q.category!)).length;
  return {
    results: hits.length > 0 ? 1 : 0,
    recall: relevant.size ? found / Math.min(20, relevant.size) : NaN,
    ndcg: relevant.size ? dcg / ideal : NaN,
    agrees: q.category === null ? NaN : top20.length > 0 && inCategory * 2 > top20.length ? 1 : 0,
  };
}
