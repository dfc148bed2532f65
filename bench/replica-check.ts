import { parseArgs } from "node:util";
import { createKeys } from "../src/cache/keys";
import { createRedisClient } from "../src/cache/redis-client";
import { createRedisStore } from "../src/cache/redis-store";
import { createReplicaFills } from "../src/cache/replica-fills";
import { createReplicaMarks } from "../src/cache/replica-marks";
import { createDatabase } from "../src/data/database";
import { migrate } from "../src/data/migrator";
import { createReadReplicas, createReadRepositories, primaryWalPosition } from "../src/data/read-replicas";
import { createPostgresServer, createReplicaServer } from "../test/helpers/postgres-server";
import { deleteTestKeys } from "../test/helpers/redis-server";

/**
 * What the LSN check adds to one cache fill (README, "Read replicas"): a fill of one product row
 * (`products.byIds`, what `prod:<id>` misses load), run sequentially, three ways interleaved in
 * every round so a machine whose load drifts slows all alike:
 *   primary  the repository on the primary, as without replicas;
 *   checked  through the replica fills: the marks' MGET on Redis, the replica's position (asked at
 *            most once per REPLICA_POSITION_TTL_MS), then the repository on the replica;
 *   replica  the repository on the replica with no check (what the check is weighed against).
 * It starts its own primary and a streaming replica (no apply delay: every fill may use it), and
 * uses the machine's Redis under a prefix of its own.
 *
 *   npm run bench:replica -- --rounds 10 --fills 200
 */
const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "10" },
    fills: { type: "string", default: "200" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
  },
});
const rounds = Number(flags.rounds);
const fillsPerRound = Number(flags.fills);

async function main(): Promise<void> {
  const primary = await createPostgresServer();
  const replica = await createReplicaServer(primary).catch((error: unknown) => {
    primary.destroy();
    throw error;
  });
  const prefix = `cgbench:replica:${process.pid}:`;
  const redis = createRedisClient({ url: flags["redis-url"] });
  const store = createRedisStore(redis);
  const db = await createDatabase({ kind: "postgres", url: primary.url, poolSize: 4 });
  const replicas = createReadReplicas([replica.url], { poolSize: 4, connectTimeoutMs: 1000 });
  try {
    await migrate(db.sql);
    await db.sql.exec(`INSERT INTO categories (name, slug, path, depth) VALUES ('Bench', 'bench', '/', 0)`);
    await db.sql.exec(`UPDATE categories SET path = '/' || id || '/'`);
    await db.sql.exec(
      `INSERT INTO products (sku, name, description, brand, price, stock, category_id, attributes, updated_at)
       SELECT 'B-' || g, 'Bench ' || g, 'A product', 'Brand', 10, 1, (SELECT min(id) FROM categories), '{}'::jsonb, now()
       FROM generate_series(1, 1000) g`,
    );
    const keys = createKeys(prefix);
    const marks = createReplicaMarks(keys);
    const primaryPosition = () => primaryWalPosition(db.sql);
    await marks.restoreBase(store, primaryPosition);
    await marks.record(store, { products: [1, 2, 3] }, await primaryPosition());
    // Until the replica has everything: then every checked fill may read it.
    for (let i = 0; i < 600 && (await replicas.choose(await primaryPosition())).replica === null; i += 1) await sleep(50);
    const fills = createReplicaFills(replicas, marks, { primaryPosition });
    const onPrimary = createReadRepositories(db.prisma);
    const onReplica = replicas.replicas[0].repositories;
    const ids = (await onPrimary.products.byIds(Array.from({ length: 1000 }, (_, i) => i + 1))).map((row) => row.id);

    const ways = {
      primary: (id: number) => onPrimary.products.byIds([id]),
      checked: (id: number) => fills.load(store, [keys.productKey(id)], (on = onPrimary) => on.products.byIds([id])),
      replica: (id: number) => onReplica.products.byIds([id]),
    };
    const totals = { primary: 0, checked: 0, replica: 0 };
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const cell: Record<keyof typeof ways, number> = { primary: 0, checked: 0, replica: 0 };
      for (const way of Object.keys(ways) as (keyof typeof ways)[]) {
        const started = performance.now();
        for (let i = 0; i < fillsPerRound; i += 1) await ways[way](ids[(round * fillsPerRound + i) % ids.length]);
        cell[way] = (performance.now() - started) / fillsPerRound;
        totals[way] += cell[way];
      }
      ratios.push(cell.checked / cell.replica);
    }
    ratios.sort((a, b) => a - b);
    const n = rounds * fillsPerRound;
    const { replica: fromReplica, primary: fromPrimary, decidingMs } = fills.counts;
    console.log(`fills per way: ${n} (${rounds} rounds of ${fillsPerRound}, interleaved), load average ${(await loadAverage()).join(" ")}`);
    console.log(`ms per fill: primary ${(totals.primary / rounds).toFixed(3)}, replica unchecked ${(totals.replica / rounds).toFixed(3)}, replica checked ${(totals.checked / rounds).toFixed(3)}`);
    console.log(`deciding (marks + position) per checked fill: ${(decidingMs / n).toFixed(3)} ms; replica position queries: ${fills.positionQueries} for ${n} fills`);
    console.log(`checked / unchecked, median of rounds: ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}`);
    console.log(`checked fills on the replica: ${fromReplica}, on the primary: ${JSON.stringify(fromPrimary)}`);
  } finally {
    await replicas.close();
    await db.close();
    await store.close();
    await deleteTestKeys(prefix, flags["redis-url"]);
    replica.destroy();
    primary.destroy();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const loadAverage = async () => (await import("node:os")).loadavg().map((n) => n.toFixed(2));

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
