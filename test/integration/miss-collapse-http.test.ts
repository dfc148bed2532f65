import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../../src/context";
import { outboxDrained } from "../helpers/database";
import { gql, gqlData } from "../helpers/gateway";
import { until } from "../helpers/redis-server";
import { useGateway } from "../helpers/use-gateway";

// The miss collapse (src/miss-collapse.ts) end to end: concurrent identical requests that miss the
// whole-response cache, over HTTP against a gateway on the real PostgreSQL and Redis. The first
// execution is held open by a plugin until every request has missed, so nothing depends on timing.

const heldQuery = `query HeldProduct($id: ID!) { product(id: $id) { id sku name price } }`;
const concurrent = 8;

/** Counts the executions of HeldProduct by id, and holds those of `heldId` until `release` (`hold` arms it again for another id). */
function createHold() {
  const executions: string[] = [];
  let released!: Promise<void>;
  const hold = {
    heldId: "",
    executions,
    release: () => undefined as void,
    hold(id: string) {
      hold.heldId = id;
      released = new Promise<void>((resolve) => (hold.release = resolve));
    },
  };
  hold.hold("");
  const plugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async executionDidStart({ operationName, request }) {
          if (operationName !== "HeldProduct") return;
          const id = String(request.variables?.id);
          executions.push(id);
          if (id === hold.heldId) await released;
        },
      };
    },
  };
  return { hold, plugin };
}

describe("identical misses of the whole-response cache over HTTP", () => {
  const { hold, plugin } = createHold();
  const fixture = useGateway({
    label: "collapse",
    catalog: { products: 20, categories: 4 },
    redis: true,
    // Counts of hits and SQL statements: a store call past the default timeout on a loaded machine would read the database.
    env: { REDIS_COMMAND_TIMEOUT_MS: "3000" },
    parts: { plugins: [plugin] },
  });
  beforeAll(async () => {
    expect(await outboxDrained(fixture.db)).toBe(true);
  });

  const respStats = () => fixture.gateway.cache.stats.snapshot().resp ?? { miss: 0, coalesced: 0, hit: 0 };

  it("executes N concurrent identical requests once, answers all alike; a request with other variables runs beside them", async () => {
    const { db, url } = fixture;
    const rows = await db.sql.query<{ id: number; sku: string; name: string; price: string }>(`SELECT id, sku, name, price FROM products ORDER BY id LIMIT 2`);
    const [held, other] = rows.map((row) => ({ id: String(row.id), sku: row.sku, name: row.name, price: Number(row.price) }));
    // The rows in the entity cache first (another operation, so another response entry), so that
    // the executions below read no row from the database (counted as 0 statements at the end).
    for (const { id } of [held, other]) await gqlData(url, `query Warm($id: ID!) { product(id: $id) { name } }`, { id });
    hold.hold(held.id);
    const statementsBefore = db.counter.statements;
    const before = respStats();

    const answers = Array.from({ length: concurrent }, () => gql(url, heldQuery, { id: held.id }));
    // Every request has missed, and one of them executes (held): the others wait in the collapse.
    const allMissed = () => respStats().miss - before.miss === concurrent && hold.executions.length === 1;
    expect(await until(allMissed, 60_000)).toBe(true);

    // Other variables: another request key, executed at once while the held one still runs.
    expect(await gqlData(url, heldQuery, { id: other.id })).toEqual({ product: other });
    expect(hold.executions).toEqual([held.id, other.id]);

    hold.release();
    const responses = await Promise.all(answers);
    for (const response of responses) expect(response).toEqual({ data: { product: held } });
    expect(hold.executions).toEqual([held.id, other.id]); // the held request key executed once
    const after = respStats();
    expect(after.coalesced - before.coalesced).toBe(concurrent - 1); // the others took the kept answer
    expect(after.miss - before.miss).toBe(concurrent + 1); // N identical misses and the other one
    expect(db.counter.statements - statementsBefore).toBe(0); // both executions read the entity cache

    // The answer stays kept: the next identical request is a hit and executes nothing.
    expect(await gql(url, heldQuery, { id: held.id })).toEqual({ data: { product: held } });
    expect(respStats().hit - after.hit).toBe(1);
    expect(hold.executions).toHaveLength(2);
  });

  // What a write of a hot product costs the requests for its answers: while the one execution runs,
  // each request that arrives would have sent a lookup that could only miss (a store round trip).
  it("requests arriving while an identical execution runs wait for it without a store round trip, then take its kept answer", async () => {
    const { db, url, gateway } = fixture;
    const [row] = await db.sql.query<{ id: number; sku: string; name: string; price: string }>(`SELECT id, sku, name, price FROM products ORDER BY id LIMIT 1 OFFSET 2`);
    const product = { id: String(row.id), sku: row.sku, name: row.name, price: Number(row.price) };
    await gqlData(url, `query Warm($id: ID!) { product(id: $id) { name } }`, { id: product.id });
    hold.hold(product.id);
    hold.executions.length = 0;
    const before = respStats();
    const first = gql(url, heldQuery, { id: product.id });
    expect(await until(async () => hold.executions.length === 1, 60_000)).toBe(true);

    const roundTrips = gateway.cache.store!.roundTrips;
    const later = Array.from({ length: concurrent - 1 }, () => gql(url, heldQuery, { id: product.id }));
    expect(await until(async () => respStats().miss - before.miss === concurrent, 60_000)).toBe(true);
    expect(gateway.cache.store!.roundTrips - roundTrips).toBe(0);

    hold.release();
    for (const response of await Promise.all([first, ...later])) expect(response).toEqual({ data: { product } });
    expect(hold.executions).toEqual([product.id]);
    expect(respStats().coalesced - before.coalesced).toBe(concurrent - 1);
  });
});
