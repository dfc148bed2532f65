import { Client } from "pg";
import { formatReport, passed, runConsistencyCheck } from "../../scripts/consistency/checker";
import { loadConfig, type Env } from "../../src/config";
import type { FillSourceCounts } from "../../src/cache/replica-fills";
import { walPosition } from "../../src/data/read-replicas";
import { startGateway, type Gateway } from "../../src/server";
import { bearer, gql, gqlData } from "../helpers/gateway";
import { createPostgresServer, createReplicaServer, postgresBinDir, type PostgresServer } from "../helpers/postgres-server";
import { deleteTestKeys, testPrefix, testRedisUrl, until } from "../helpers/redis-server";
import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Read replicas for cache fills (DATABASE_REPLICA_URLS), on a primary of the test's own (initdb,
 * free port) and a streaming replica of it (pg_basebackup -R, free port) that replays every commit
 * 2 s after it was made (recovery_min_apply_delay). Every read right after an acknowledged write
 * must see it (by id, by SKU, in a listing); with the LSN check off the same reads are stale, so the
 * test can fail; and fills do read the replica once it has replayed the writes they depend on.
 * Counts are asserted (stale reads, fills by source), never timings.
 */
jest.setTimeout(240_000);

const bin = postgresBinDir();
const missing = !bin ? "initdb" : !existsSync(path.join(bin, "pg_basebackup")) ? "pg_basebackup" : null;
if (missing) console.log(`read-replica tests skipped: no ${missing} (PostgreSQL server binaries) on this machine`);
const describeWithPostgres = missing ? describe.skip : describe;

const APPLY_DELAY_MS = 2000;

const PRODUCT = `query($id: ID!) { product(id: $id) { id sku price } }`;
const BY_SKU = `query($sku: String!) { productBySku(sku: $sku) { id price } }`;
const LISTING = `query($id: ID!, $min: Float!) {
  category(id: $id) { products(first: 100, orderBy: PRICE_ASC, filter: { minPrice: $min }) { totalCount edges { node { id price } } } }
}`;
const UPDATE = `mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { id price } }`;

const counts = (gateway: Gateway): FillSourceCounts => {
  const fills = gateway.cache.replicaFills;
  if (!fills) throw new Error("the gateway has no replica fills: DATABASE_REPLICA_URLS was not applied");
  return structuredClone(fills.counts);
};
const onPrimary = (c: FillSourceCounts) => Object.values(c.primary).reduce((a, b) => a + b, 0);

describeWithPostgres("read replicas for cache fills", () => {
  let primary: PostgresServer;
  let replica: PostgresServer;
  let primarySql: Client;
  let replicaSql: Client;
  const gateways: Gateway[] = [];
  const prefixes: string[] = [];

  // The gateways' settings; the prefix is shared by the gateways that must see each other's writes.
  const start = async (prefix: string, extra: Env = {}) => {
    const config = loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      DATABASE_URL: primary.url,
      DATABASE_REPLICA_URLS: replica.url,
      MIGRATE_ON_START: "true",
      SEED_PRODUCTS: "40",
      SEED_CATEGORIES: "4",
      VECTOR_INDEX: "none",
      VECTOR_SYNC_ON_START: "false",
      CACHE_STORE: "redis",
      REDIS_URL: testRedisUrl,
      CACHE_PREFIX: prefix,
      CACHE_RESPONSES: "false",
      CACHE_WARM_ON_START: "false",
      RATE_LIMIT: "off",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      ...extra,
    });
    const gateway = await startGateway(config);
    gateways.push(gateway);
    return gateway;
  };

  // Resolves once the replica has replayed everything the primary has written so far.
  const replicaCaughtUp = async () => {
    const [{ lsn }] = (await primarySql.query<{ lsn: string }>("SELECT pg_current_wal_insert_lsn()::text AS lsn")).rows;
    const target = walPosition(lsn);
    const ok = await until(async () => {
      const [row] = (await replicaSql.query<{ lsn: string | null }>("SELECT pg_last_wal_replay_lsn()::text AS lsn")).rows;
      return row.lsn !== null && walPosition(row.lsn) >= target;
    }, 30_000);
    if (!ok) throw new Error(`the replica did not replay up to ${lsn} in 30 s`);
  };

  beforeAll(async () => {
    primary = await createPostgresServer();
    replica = await createReplicaServer(primary, { applyDelayMs: APPLY_DELAY_MS });
    primarySql = new Client({ connectionString: primary.url }).on("error", () => undefined);
    await primarySql.connect();
    // Its connection ends when the last test stops the replica.
    replicaSql = new Client({ connectionString: replica.url }).on("error", () => undefined);
    await replicaSql.connect();
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop().catch(() => undefined);
    for (const prefix of prefixes) await deleteTestKeys(prefix);
    await primarySql?.end().catch(() => undefined);
    await replicaSql?.end().catch(() => undefined);
    replica?.destroy();
    primary?.destroy();
  });

  let writer: Gateway;
  let reader: Gateway;
  let editor: Record<string, string>;
  let products: { id: string; sku: string; price: number; categoryId: string }[];

  it("fills read the replica once it has replayed the writes they depend on", async () => {
    const prefix = testPrefix("replica");
    prefixes.push(prefix);
    writer = await start(prefix);
    reader = await start(prefix);
    editor = await bearer(writer, "editor");
    const rows = (await primarySql.query<{ id: number; sku: string; price: string; category_id: number }>(
      "SELECT id, sku, price::text AS price, category_id FROM products ORDER BY id LIMIT 12",
    )).rows;
    products = rows.map((row) => ({ id: String(row.id), sku: row.sku, price: Number(row.price), categoryId: String(row.category_id) }));
    await replicaCaughtUp();

    // The first fill finds no base mark (a new Redis prefix): it reads the primary and writes it.
    await gqlData(reader.url, PRODUCT, { id: products[0].id });
    const before = counts(reader);
    expect(before.primary.unmarked).toBeGreaterThanOrEqual(1);
    // The base mark it wrote (in the background, after the answer) is the primary's position then,
    // which may be past any position the test read before; the replica replays 2 s behind. A fill
    // that came before the replica had replayed it reads the primary and stays cached, so each
    // attempt waits for the replica to catch up and fills an entry not read before.
    const fresh = [
      { query: PRODUCT, variables: { id: products[1].id } },
      ...products.slice(8).flatMap((product) => [
        { query: PRODUCT, variables: { id: product.id } },
        { query: BY_SKU, variables: { sku: product.sku } },
      ]),
    ];
    let servedByReplica = false;
    for (const { query, variables } of fresh) {
      await replicaCaughtUp();
      await gqlData(reader.url, query, variables);
      servedByReplica = counts(reader).replica > before.replica;
      if (servedByReplica) break;
    }
    expect({ servedByReplica, counts: counts(reader) }).toMatchObject({ servedByReplica: true });

    // No write since the replica caught up: every fill of these reads may come from it.
    const settled = counts(reader);
    for (const product of products.slice(2, 8)) {
      await gqlData(reader.url, PRODUCT, { id: product.id });
      await gqlData(reader.url, BY_SKU, { sku: product.sku });
    }
    await gqlData(reader.url, LISTING, { id: products[0].categoryId, min: 0 });
    const after = counts(reader);
    expect(after.replica - settled.replica).toBeGreaterThanOrEqual(13);
    expect(onPrimary(after) - onPrimary(settled)).toBe(0);

    // ... and /metrics says so.
    const metrics = await (await fetch(new URL("/metrics", reader.url))).text();
    expect(metrics).toMatch(/catalog_cache_fill_reads_total\{source="replica",reason=""\} [1-9]/);
  });

  it("after each acknowledged write, reads by id, SKU and listing through another gateway see it: 0 stale, fills on the primary while the replica lags", async () => {
    const before = counts(reader);
    let stale = 0;
    let reads = 0;
    for (const [i, product] of products.slice(0, 6).entries()) {
      const price = Math.round((product.price + 100 + i) * 100) / 100;
      // Warm the entries the write must retire.
      await gqlData(reader.url, PRODUCT, { id: product.id });
      await gqlData(reader.url, BY_SKU, { sku: product.sku });
      await gqlData(reader.url, LISTING, { id: product.categoryId, min: 0 });
      const written = await gqlData<{ updateProduct: { price: number } }>(writer.url, UPDATE, { id: product.id, price }, editor);
      expect(written.updateProduct.price).toBe(price);
      product.price = price;

      const byId = await gqlData<{ product: { price: number } }>(reader.url, PRODUCT, { id: product.id });
      const bySku = await gqlData<{ productBySku: { price: number } }>(reader.url, BY_SKU, { sku: product.sku });
      const listing = await gqlData<{ category: { products: { edges: { node: { id: string; price: number } }[] } } }>(reader.url, LISTING, {
        id: product.categoryId,
        min: 0,
      });
      const inListing = listing.category.products.edges.find((edge) => edge.node.id === product.id)?.node.price;
      reads += 3;
      stale += Number(byId.product.price !== price) + Number(bySku.productBySku.price !== price) + Number(inListing !== price);
    }
    expect({ reads, stale }).toEqual({ reads: 18, stale: 0 });
    const after = counts(reader);
    // The replica is 2 s behind every write here: the fills that depend on one read the primary
    // (at least one; each of the 6 would, unless a loaded machine took 2 s between write and read).
    expect(after.primary.lagging - before.primary.lagging).toBeGreaterThanOrEqual(1);
  });

  it("with the LSN check off (REPLICA_LSN_CHECK=off, for tests only) the same reads are stale", async () => {
    const prefix = testPrefix("replica-off");
    prefixes.push(prefix);
    const unchecked = await start(prefix, { REPLICA_LSN_CHECK: "off", MIGRATE_ON_START: "false" });
    const headers = await bearer(unchecked, "editor");
    await replicaCaughtUp();
    let stale = 0;
    for (const [i, product] of products.slice(6, 10).entries()) {
      const price = Math.round((product.price + 200 + i) * 100) / 100;
      await gqlData(unchecked.url, PRODUCT, { id: product.id });
      await gqlData(unchecked.url, UPDATE, { id: product.id, price }, headers);
      product.price = price;
      const byId = await gqlData<{ product: { price: number } }>(unchecked.url, PRODUCT, { id: product.id });
      stale += Number(byId.product.price !== price);
    }
    expect(stale).toBeGreaterThanOrEqual(1);
    expect(counts(unchecked).replica).toBeGreaterThanOrEqual(4);
    expect(onPrimary(counts(unchecked))).toBe(0);
  });

  it("a replica that is down fails no request: fills read the primary, and nothing is stale", async () => {
    replica.stop();
    const before = counts(reader);
    for (const [i, product] of products.slice(0, 3).entries()) {
      const price = Math.round((product.price + 300 + i) * 100) / 100;
      await gqlData(writer.url, UPDATE, { id: product.id, price }, editor);
      const answer = await gql<{ product: { price: number } }>(reader.url, PRODUCT, { id: product.id });
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.product.price).toBe(price);
    }
    const after = counts(reader);
    expect(after.replica).toBe(before.replica);
    expect(after.primary.down + after.primary.failed + after.primary.lagging - (before.primary.down + before.primary.failed + before.primary.lagging)).toBeGreaterThanOrEqual(3);
  });
});

describeWithPostgres("the consistency checker over a replica 2 s behind", () => {
  it("finds no stale read, and some fills came from the replica", async () => {
    const report = await runConsistencyCheck({ replica: { applyDelayMs: APPLY_DELAY_MS }, targetReads: 400, targetWrites: 60, durationMs: 60_000 });
    console.log(formatReport(report));
    expect(report.examples.map((stale) => stale.reason)).toEqual([]);
    expect(passed(report)).toBe(true);
    expect(report.fillReads?.replica).toBeGreaterThan(0);
    expect(report.fillReads && report.fillReads.primary.lagging).toBeGreaterThan(0);
  });
});
