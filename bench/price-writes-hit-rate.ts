import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { Client } from "pg";
import { signToken } from "../src/auth";
import { createDatabase } from "../src/data/database";
import { migrate } from "../src/data/migrator";
import { seedIfEmpty } from "../src/data/seed/seed-on-start";
import { body, post, startGatewayProcess, stopGatewayProcess } from "./gateway-process";

/**
 * The hit rate under price writes (issue #11 item 2): the bench's mixed read line (50% SKU
 * lookups, 20% category + children, 20% 50-product pages, 10% categoryTree(maxDepth: 2)) with a
 * share of price updates (default 2%) of products under the paged categories, sent one at a time
 * (so the mix is exactly as drawn, from a fixed seed) to the gateway on Redis with whole
 * responses on. A read "hits" when it costs no SQL statement (Query.cacheStats before and after);
 * pages are ordered by popularity, name and price in turn, and reported apart. Every read body is
 * sent once before counting, so cold misses do not count.
 *
 *   node --experimental-vm-modules --no-warnings -r ts-node/register/transpile-only bench/price-writes-hit-rate.ts \
 *     [--products 20000] [--categories 300] [--ops 5000] [--write-ratio 0.02]
 */

const { values: flags } = parseArgs({
  options: {
    products: { type: "string", default: "20000" },
    categories: { type: "string", default: "300" },
    ops: { type: "string", default: "5000" },
    "write-ratio": { type: "string", default: "0.02" },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
    port: { type: "string", default: "4431" },
  },
});

const secret = "hit-rate-secret-hit-rate-secret-0123456789";
const ORDERS = ["POPULARITY_DESC", "NAME_ASC", "PRICE_ASC"] as const;

interface Read {
  kind: string;
  payload: string;
}

async function main() {
  const name = `cg_hitrate_${process.pid}`;
  const prefix = `cg:hitrate:${process.pid}:`;
  const admin = new Client({ connectionString: flags["pg-url"] });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(flags["pg-url"]!);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  let child: Awaited<ReturnType<typeof startGatewayProcess>>["child"] | undefined;
  try {
    const db = await createDatabase({ kind: "postgres", url: databaseUrl, poolSize: 4 });
    await migrate(db.sql);
    await seedIfEmpty(db, { products: Number(flags.products), categories: Number(flags.categories) }, () => undefined);
    const hot = await db.sql.query<{ sku: string }>(`SELECT sku FROM products ORDER BY popularity DESC, id LIMIT 20`);
    const parents = await db.sql.query<{ id: number }>(
      `SELECT c.id FROM categories c WHERE EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id) ORDER BY c.depth, c.id LIMIT 20`,
    );
    const listed = await db.sql.query<{ id: number; path: string }>(`SELECT id, path FROM categories WHERE depth <= 1 ORDER BY id LIMIT 10`);
    const written = await db.sql.query<{ id: number }>(
      `SELECT p.id FROM products p JOIN categories c ON c.id = p.category_id WHERE ${listed.map((_, i) => `c.path LIKE $${i + 1}`).join(" OR ")} ORDER BY p.id`,
      listed.map((c) => `${c.path}%`),
    );
    await db.close();

    const reads: [number, Read[]][] = [
      [0.5, hot.map(({ sku }) => ({ kind: "sku", payload: body(`query($sku: String!) { productBySku(sku: $sku) { id sku name brand price stock } }`, { sku }) }))],
      [0.2, parents.map(({ id }) => ({ kind: "category", payload: body(`query($id: ID!) { category(id: $id) { id name slug depth children { id name slug productCount } } }`, { id: String(id) }) }))],
      [
        0.2,
        listed.flatMap(({ id }) =>
          ORDERS.map((order) => ({
            kind: `page ${order}`,
            payload: body(
              `query($id: ID!, $order: ProductOrder) { products(categoryId: $id, first: 50, orderBy: $order) { totalCount edges { node { id name price category { name parent { name } } } } } }`,
              { id: String(id), order },
            ),
          })),
        ),
      ],
      [0.1, [{ kind: "tree", payload: body(`{ categoryTree(maxDepth: 2) { id name children { id name } } }`) }]],
    ];

    const started = await startGatewayProcess({
      NODE_ENV: "production",
      JWT_SECRET: secret,
      PORT: flags.port!,
      DATABASE_URL: databaseUrl,
      MIGRATE_ON_START: "false",
      LOG_LEVEL: "warn",
      CACHE_STORE: "redis",
      REDIS_URL: flags["redis-url"]!,
      CACHE_PREFIX: prefix,
    });
    child = started.child;
    const gateway = started.url;
    const sqlSoFar = async () => (await post(gateway, body(`{ cacheStats { sqlStatements } }`))).data.cacheStats.sqlStatements as number;
    const token = await signToken(secret, "hit-rate", ["editor"]);
    const write = async (id: number, price: number) => {
      const response = await fetch(gateway, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: body(`mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { id } }`, { id: String(id), price }),
      });
      const result = (await response.json()) as { errors?: unknown };
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    };

    for (const [, group] of reads) for (const read of group) await post(gateway, read.payload);

    let seed = 20261130;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
    const counts = new Map<string, { reads: number; hits: number }>();
    let writes = 0;
    for (let op = 0; op < Number(flags.ops); op += 1) {
      if (random() < Number(flags["write-ratio"])) {
        await write(pick(written).id, Math.round(1000 + random() * 100_000) / 100);
        writes += 1;
        continue;
      }
      let roll = random();
      const group = reads.find(([share]) => (roll -= share) < 0)?.[1] ?? reads[0][1];
      const read = pick(group);
      const before = await sqlSoFar();
      const response = await post(gateway, read.payload);
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      const hit = (await sqlSoFar()) === before;
      for (const kind of [read.kind, "all reads"]) {
        const row = counts.get(kind) ?? { reads: 0, hits: 0 };
        row.reads += 1;
        row.hits += hit ? 1 : 0;
        counts.set(kind, row);
      }
    }
    const all = counts.get("all reads")!;
    console.log(`${flags.products} generated products, ${all.reads} reads and ${writes} price writes (${Number(flags["write-ratio"]) * 100}%), one at a time.`);
    console.log(`| reads | count | answered with no SQL |`);
    console.log(`|---|---|---|`);
    for (const [kind, row] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
      console.log(`| ${kind} | ${row.reads} | ${((row.hits / row.reads) * 100).toFixed(1)}% |`);
    }
  } finally {
    if (child) await stopGatewayProcess(child);
    await deleteKeys(prefix);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

// The run's keys, by SCAN on its own prefix (a bench's cleanup, never a request path).
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(flags["redis-url"]!);
  try {
    for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
      if ((batch as string[]).length) await redis.unlink(...(batch as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
