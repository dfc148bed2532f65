import type { Footprint } from "../../src/cache/invalidation";
import type { Database, SqlRunner } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { CATALOG_WRITE_LOCK_ID } from "../../src/data/catalog-lock";
import { until } from "../helpers/redis-server";
import { gqlAs, startTestGateway } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// What one price write costs the database, on the real PostgreSQL: its statements (counted by the
// gateway's own Prisma client) and the vocabulary trigger, which a price cannot change.
describe("a price write's cost", () => {
  let db: Database;
  let gateway: Gateway;
  const fixture = useGateway({ label: "pricecost", catalog: { products: 30, categories: 6 } });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const update = (id: number, input: Record<string, unknown>) =>
    gqlAs(gateway, ["editor"], `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id price name } }`, {
      id: String(id),
      input,
    });

  it("sends two statements: the row's facts, then the catalog lock, the row lock, the update and the outbox row as one", async () => {
    const [product] = await sql<{ id: number; price: string }>(`SELECT id, price::text FROM products ORDER BY id LIMIT 1`);
    await update(product.id, { price: Number(product.price) + 1 }); // warm: Prisma's first query of a kind
    const before = gateway.db.counter.statements;
    const answer = await update(product.id, { price: Number(product.price) + 2 });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.updateProduct).toMatchObject({ id: String(product.id), price: Number(product.price) + 2 });
    // It was 5 in an interactive transaction (its BEGIN, the lock, the locked row, the update, the
    // outbox row), and 7 before the row lock, the row and its category became one statement.
    expect(gateway.db.counter.statements - before).toBe(2);
    const [row] = await sql<{ footprint: { listingAspects?: Record<string, unknown> } }>(`SELECT footprint FROM cache_outbox ORDER BY id DESC LIMIT 1`);
    expect(Object.keys(row.footprint.listingAspects ?? {})).toEqual(["price"]);
  });

  // The statement is computed from a read just before it; a write that lands between the two must
  // neither be lost nor leave a footprint computed from the row it replaced. `between` runs while
  // the mutation waits for the row's lock (it has read the row), in the transaction that holds it.
  async function racedUpdate(id: number, input: Record<string, unknown>, between: (tx: SqlRunner) => Promise<unknown>) {
    const before = gateway.db.counter.statements;
    let mutation: ReturnType<typeof update> | undefined;
    await db.sql.transaction(async (tx) => {
      await tx.query(`SELECT id FROM products WHERE id = $1 FOR UPDATE`, [id]);
      mutation = update(id, input);
      const waiting = async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`))[0].n === 1;
      expect(await until(waiting, 10_000)).toBe(true);
      await between(tx);
    });
    const answer = await mutation!;
    expect(answer.errors).toBeUndefined();
    const [row] = await sql<{ footprint: Footprint }>(`SELECT footprint FROM cache_outbox ORDER BY id DESC LIMIT 1`);
    return { statements: gateway.db.counter.statements - before, footprint: row.footprint };
  }

  it("records what a change of its fields can retire, in one try, when another write of the product came between its read and its lock", async () => {
    const [product] = await sql<{ id: number; price: string; stock: number }>(`SELECT id, price::text, stock FROM products ORDER BY id LIMIT 1 OFFSET 5`);
    const newPrice = (Number(product.price) + 7).toFixed(2);
    // The other write sets that price first, and a stock: read before it, the price changed; locked after it, it did not.
    const { statements, footprint } = await racedUpdate(product.id, { price: Number(newPrice) }, (tx) =>
      tx.query(`UPDATE products SET price = $2, stock = $3 WHERE id = $1`, [product.id, newPrice, product.stock + 11]),
    );
    expect(await sql(`SELECT price::text, stock FROM products WHERE id = $1`, [product.id])).toEqual([{ price: newPrice, stock: product.stock + 11 }]);
    expect(statements).toBe(2);
    // Not the read's precise footprint (price listings, price searches, price statistics): the
    // price facet's ranges too, since the price before the update is not the one read.
    expect(footprint.listingAspects).toEqual({ price: expect.any(Array) });
    expect([...(footprint.searchAspects ?? [])].sort()).toEqual(["price", "priceBand"]);
    expect(footprint.statsAspects).toEqual(["price"]);
  });

  it("tries again, from a new read, when the product moved to another category between its read and its lock", async () => {
    const [product] = await sql<{ id: number; category_id: number }>(`SELECT id, category_id FROM products ORDER BY id LIMIT 1 OFFSET 6`);
    const [other] = await sql<{ id: number; path: string }>(`SELECT id, path FROM categories WHERE id <> $1 ORDER BY depth DESC, id LIMIT 1`, [product.category_id]);
    const { statements, footprint } = await racedUpdate(product.id, { stock: 0 }, (tx) => tx.query(`UPDATE products SET category_id = $2 WHERE id = $1`, [product.id, other.id]));
    // The read and the statement that wrote nothing (the lock's recheck drops the moved row from its
    // join with the old category), then a new read and the statement that wrote.
    expect(statements).toBe(4);
    const chain = [...other.path.split("/").filter(Boolean).map(Number), null];
    expect(footprint.statsAspects).toEqual(["stock"]);
    for (const categories of Object.values(footprint.listingAspects ?? {})) expect(categories).toEqual(chain);
  });

  it("answers NOT_FOUND for a product that does not exist, and writes no outbox row", async () => {
    const [{ n: rowsBefore }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM cache_outbox`);
    const answer = await update(987_654, { price: 5 });
    expect(answer.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM cache_outbox`))[0].n).toBe(rowsBefore);
  });

  it("adds words to the typo vocabulary when a name changes, and does not run it for a price", async () => {
    const [product] = await sql<{ id: number; name: string; price: string }>(`SELECT id, name, price::text FROM products ORDER BY id LIMIT 1 OFFSET 3`);
    // A word of the product's own name, taken out of the vocabulary: the old trigger put every word
    // of every updated row back, whatever the update changed.
    const [{ word }] = await sql<{ word: string }>(`SELECT w AS word FROM search_words_of($1, '', '') AS w LIMIT 1`, [product.name]);
    await sql(`DELETE FROM search_words WHERE word = $1`, [word]);
    expect((await update(product.id, { price: Number(product.price) + 3 })).errors).toBeUndefined();
    expect(await sql(`SELECT word FROM search_words WHERE word = $1`, [word])).toEqual([]);

    expect((await update(product.id, { name: `${product.name} Quixotry` })).errors).toBeUndefined();
    const words = (await sql<{ word: string }>(`SELECT word FROM search_words WHERE word = ANY($1)`, [[word, "quixotry"]])).map((row) => row.word);
    expect(words.sort()).toEqual([word, "quixotry"].sort());
  });
});

// The embedded default (`npm start`): the same statement on PGlite, its outbox row applied and marked.
describe("a price write on the embedded database", () => {
  const fixture = useGateway({ label: "pricecost-pglite", catalog: { products: 12, categories: 4 }, database: "pglite" });

  it("writes the price and its outbox row in one statement, and the answer after it shows the new price", async () => {
    const { db, gateway } = fixture;
    const [product] = await db.sql.query<{ id: number; sku: string; price: string }>(`SELECT id, sku, price::text FROM products ORDER BY id LIMIT 1`);
    const read = async () => (await gqlAs(gateway, [], `query($sku: String!) { productBySku(sku: $sku) { price } }`, { sku: product.sku })).data?.productBySku;
    expect(await read()).toEqual({ price: Number(product.price) });
    const before = gateway.db.counter.statements;
    const answer = await gqlAs(gateway, ["editor"], `mutation($id: ID!) { updateProduct(id: $id, input: { price: 4321.5 }) { id price } }`, { id: String(product.id) });
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.updateProduct).toEqual({ id: String(product.id), price: 4321.5 });
    expect(gateway.db.counter.statements - before).toBe(2);
    expect(await read()).toEqual({ price: 4321.5 });
    expect(await until(async () => (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM cache_outbox WHERE applied_at IS NULL`))[0].n === 0, 10_000)).toBe(true);
  });
});

// A one-statement write waits for its locks no longer than a transaction may run.
describe("a price write behind a longer write", () => {
  const fixture = useGateway({ label: "pricecost-bound", catalog: { products: 6, categories: 3 }, env: { DATABASE_TRANSACTION_TIMEOUT_MS: "300" } });

  it("answers SERVICE_UNAVAILABLE once it has waited DATABASE_TRANSACTION_TIMEOUT_MS for the catalog lock, and writes nothing", async () => {
    const { db, gateway } = fixture;
    const [product] = await db.sql.query<{ id: number; price: string }>(`SELECT id, price::text FROM products ORDER BY id LIMIT 1`);
    const [{ n: rows }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM cache_outbox`);
    let answer: Awaited<ReturnType<typeof gqlAs>> | undefined;
    // An import or a category move holds the catalog lock exclusively until it commits.
    await db.sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1)`, [CATALOG_WRITE_LOCK_ID]);
      answer = await gqlAs(gateway, ["editor"], `mutation($id: ID!) { updateProduct(id: $id, input: { price: 1.5 }) { price } }`, { id: String(product.id) });
    });
    expect(answer!.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(await db.sql.query(`SELECT price::text FROM products WHERE id = $1`, [product.id])).toEqual([{ price: product.price }]);
    expect((await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM cache_outbox`))[0].n).toBe(rows);
  });
});

// Writes of one hot product come one after another, each in its own turn: their rows are marked
// applied together (outbox.ts `markGatherMs`), not one statement each.
describe("the outbox marks of writes one after another", () => {
  // No replay timer: it would mark the rows the test reads unmarked.
  const quiet = { OUTBOX_REPLAY_INTERVAL_MS: "3600000" };
  const fixture = useGateway({ label: "pricemarks", catalog: { products: 12, categories: 4 }, env: quiet });

  it("marks the rows applied within OUTBOX_MARK_GATHER_MS in one statement, at the latest when the gateway stops", async () => {
    const { db } = fixture;
    const gateway = await startTestGateway(db, { env: { ...quiet, OUTBOX_MARK_GATHER_MS: "60000" } });
    const latest = async () =>
      (await db.sql.query<{ statements: number; unmarked: number }>(
        `SELECT count(DISTINCT applied_at)::int AS statements, count(*) FILTER (WHERE applied_at IS NULL)::int AS unmarked
           FROM (SELECT applied_at FROM cache_outbox ORDER BY id DESC LIMIT 3) latest`,
      ))[0];
    try {
      const products = await db.sql.query<{ id: number; price: string }>(`SELECT id, price::text FROM products ORDER BY id LIMIT 3`);
      for (const { id, price } of products) {
        const answer = await gqlAs(gateway, ["editor"], `mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { id } }`, { id: String(id), price: Number(price) + 1 });
        expect(answer.errors).toBeUndefined();
      }
      expect(await latest()).toEqual({ statements: 0, unmarked: 3 }); // applied, their marks gathered
    } finally {
      await gateway.stop();
    }
    // One statement (one transaction: one now()) marked the three.
    expect(await latest()).toEqual({ statements: 1, unmarked: 0 });
  });
});
