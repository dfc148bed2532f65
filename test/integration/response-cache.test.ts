import type { Gateway } from "../../src/server";
import type { Database } from "../../src/data/database";
import { decodeVersioned } from "../../src/cache/store";
import { bearer, gql, gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// Whole responses of anonymous queries, over HTTP on the real Redis: served again while what they
// were computed from is unchanged, executed again as soon as a write touches any of it.
describe("the whole-response cache", () => {
  let db: Database;
  let gateway: Gateway;

  const fixture = useGateway({
    label: "resp",
    catalog: { products: 600, categories: 300 },
    redis: true,
    // These tests count SQL statements and hits: on a loaded machine a store call past the default
    // 250 ms timeout would turn a hit into a (correct, but counted) database read.
    env: { REDIS_COMMAND_TIMEOUT_MS: "3000" },
  });
  beforeAll(async () => {
    ({ db, gateway } = fixture);
    // The seed's invalidations are replayed in the background: start once they have all landed.
    for (let i = 0; i < 100; i += 1) {
      const [{ pending }] = await db.sql.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM cache_outbox WHERE applied_at IS NULL`);
      if (pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  const served = () => gateway.cache.stats.snapshot().resp?.hit ?? 0;
  const roundTrips = () => gateway.cache.store!.roundTrips;
  const tree = `{ categoryTree(maxDepth: 8) { id name children { id name children { id name children { id name } } } } }`;
  // Executes `query` until it is kept whole (the first run fills the cache from the database).
  const keep = async (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
    for (let i = 0; i < 3; i += 1) {
      const before = served();
      const data = await gqlData(gateway.url, query, variables, headers);
      if (served() > before) return data;
    }
    throw new Error(`never kept: ${query}`);
  };
  // What one kept request costs the store: round trips during a request answered from the cache.
  const hitCost = async (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
    await keep(query, variables, headers);
    const [trips, hits] = [roundTrips(), served()];
    await gqlData(gateway.url, query, variables, headers);
    expect(served()).toBe(hits + 1);
    return roundTrips() - trips;
  };
  // The version vector of the kept entry whose body contains `marker`, read from Redis.
  const vectorOf = async (marker: string) => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await fixture.redis.scan(cursor, "MATCH", `${fixture.prefix}{resp:*}:*`, "COUNT", 1000);
      cursor = next;
      found.push(...keys.filter((key) => !/\{resp:\d+\}:v:/.test(key) && !key.endsWith(":s")));
    } while (cursor !== "0");
    const values = await fixture.redis.mget(found);
    const raw = values.find((value) => value?.includes(marker));
    if (!raw) throw new Error(`no kept entry holds ${marker}`);
    return decodeVersioned(raw)!;
  };
  const byId = `query($id: ID!) { product(id: $id) { price category { name } } }`;

  it("answers a repeated anonymous query whole, and executes it again after a write that touches it", async () => {
    const [a, b] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 2`);
    await gqlData(gateway.url, byId, { id: String(a.id) }); // executed, filled from the database
    await gqlData(gateway.url, byId, { id: String(a.id) }); // executed from cache hits: kept whole
    const before = served();
    const statements = db.counter.statements;
    const again = await gqlData(gateway.url, byId, { id: String(a.id) });
    expect(served()).toBe(before + 1);
    expect(db.counter.statements).toBe(statements);

    // A write to another product leaves it valid.
    await gqlAs(gateway, ["editor"], `mutation($id: ID!) { updateProduct(id: $id, input: { stock: 9 }) { id } }`, { id: String(b.id) });
    await gqlData(gateway.url, byId, { id: String(a.id) });
    expect(served()).toBe(before + 2);

    // A write to this product does not: the next answer is the new price.
    await gqlAs(gateway, ["editor"], `mutation($id: ID!) { updateProduct(id: $id, input: { price: 1234.56 }) { id } }`, { id: String(a.id) });
    const fresh = await gqlData(gateway.url, byId, { id: String(a.id) });
    expect(fresh.product.price).toBe(1234.56);
    expect(fresh.product.price).not.toBe(again.product.price);
    expect(served()).toBe(before + 2);
  });

  it("retires a cached listing when a product moves into it (a generation moved)", async () => {
    const [leaf] = await db.sql.query<{ id: number }>(`SELECT id FROM categories WHERE depth >= 1 ORDER BY id LIMIT 1`);
    const [outsider] = await db.sql.query<{ id: number }>(`SELECT id FROM products WHERE category_id <> $1 ORDER BY id DESC LIMIT 1`, [leaf.id]);
    const listing = `query($id: ID!) { category(id: $id) { productCount(includeDescendants: false) products(includeDescendants: false, first: 100) { edges { node { id } } } } }`;
    for (let i = 0; i < 3; i += 1) await gqlData(gateway.url, listing, { id: String(leaf.id) });
    const before = await gqlData(gateway.url, listing, { id: String(leaf.id) });
    const moved = await gqlAs(gateway, ["editor"], `mutation($id: ID!, $c: ID!) { updateProduct(id: $id, input: { categoryId: $c, attributes: {} }) { id } }`, {
      id: String(outsider.id),
      c: String(leaf.id),
    });
    expect(moved.errors).toBeUndefined();
    const after = await gqlData(gateway.url, listing, { id: String(leaf.id) });
    expect(after.category.productCount).toBe(before.category.productCount + 1);
    expect(after.category.products.edges.map((e: any) => e.node.id)).toContain(String(outsider.id));
  });

  it("keeps no answer with an error, to a cache trace or with a bad token, and never a mutation", async () => {
    const start = served();
    for (let i = 0; i < 3; i += 1) {
      await gql(gateway.url, `{ products(first: -1) { totalCount } }`);
      await gqlData(gateway.url, `{ categories { id } }`, {}, { authorization: "Bearer not-a-token" });
      await gql(gateway.url, `{ categories { name } }`, {}, { "x-cache-trace": "1" });
      await gqlAs(gateway, ["admin"], `mutation { invalidateCache(family: STATS) { generations } }`);
    }
    expect(served()).toBe(start);
  });

  it("answers a hit in one store round trip whatever the answer read: 250 category rows as one product", async () => {
    const [product] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 1`);
    // The tree itself is one entry (`cat:tree`); asking for each node's row reads each category's
    // entry (five levels: 276 of the 300, within the operation cost limit).
    const nest = (levels: number): string => `category { name }${levels > 0 ? ` children { ${nest(levels - 1)} }` : ""}`;
    const rows = `{ categoryTree(maxDepth: 5) { ${nest(5)} } }`;
    const treeTrips = await hitCost(rows);
    const productTrips = await hitCost(byId, { id: String(product.id) });
    expect(treeTrips).toBe(1);
    expect(productTrips).toBe(1);

    // The check inside Redis is bounded too: the answer read every category, but its vector names
    // at most 64 buckets per group (and a few exact counters).
    const trace = await gql(gateway.url, rows, {}, { "x-cache-trace": "1" });
    const read = (trace.extensions as any).cache.families;
    expect(read.cat.hits).toBeGreaterThanOrEqual(250);
    const { versions: vector, epochs } = await vectorOf('"categoryTree":[{"category"');
    expect(vector.length).toBeLessThanOrEqual(64 + 8);
    expect(vector.filter(([key]) => /\{resp:\d+\}:v:cat#/.test(key)).length).toBeGreaterThan(32);
    // And until a write moves one of them, a hit reads only its group epochs, one per family it read.
    expect(epochs.map(([key]) => key.replace(/^.*\{resp:\d+\}:v:/, ""))).toEqual(["@cat", "@cat:tree", "@gen:cat", "@gen:cat:tree"]);
  });

  it("keeps an executed answer in two store round trips: counters then values in one, the entry in the other", async () => {
    const [product] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 1 OFFSET 7`);
    const variables = { id: String(product.id) };
    await keep(byId, variables); // the product's and its category's entries are now cached
    // Another text of the same reads: a lookup that misses, then an execution that reads both
    // entries from the cache (one round trip per loader), then the save.
    const same = `query SameReads($id: ID!) { product(id: $id) { price category { name } } }`;
    const [trips, hits] = [roundTrips(), served()];
    await gqlData(gateway.url, same, variables);
    expect(served()).toBe(hits);
    expect(roundTrips() - trips).toBe(1 + 2 + 2);
    await gqlData(gateway.url, same, variables);
    expect(served()).toBe(hits + 1);
  });

  it("retires the kept tree on a category rename and keeps it through a price change", async () => {
    const [product] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id DESC LIMIT 1`);
    const [category] = await db.sql.query<{ id: number; name: string }>(`SELECT id, name FROM categories WHERE depth = 1 ORDER BY id LIMIT 1`);
    await keep(tree);
    let hits = served();
    await gqlAs(gateway, ["editor"], `mutation($id: ID!) { updateProduct(id: $id, input: { price: 77.5 }) { id } }`, { id: String(product.id) });
    await gqlData(gateway.url, tree);
    expect(served()).toBe(hits + 1);

    hits = served();
    await gqlAs(gateway, ["editor"], `mutation($id: ID!, $n: String!) { updateCategory(id: $id, input: { name: $n }) { id } }`, {
      id: String(category.id),
      n: `${category.name} renamed`,
    });
    const after = await gqlData(gateway.url, tree);
    expect(served()).toBe(hits);
    expect(JSON.stringify(after)).toContain(`${category.name} renamed`);
  });

  it("answers a valid token holder from the same entry as an anonymous caller, and never a bad token", async () => {
    const [product] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 1 OFFSET 5`);
    const query = `query($id: ID!) { product(id: $id) { name price } }`;
    const variables = { id: String(product.id) };
    const anonymous = await keep(query, variables);
    const editor = await bearer(gateway, "editor");
    let hits = served();
    expect(await gqlData(gateway.url, query, variables, editor)).toEqual(anonymous);
    expect(served()).toBe(hits + 1);

    // Kept for a token holder, served to an anonymous caller alike.
    const other = { id: String(product.id + 1) };
    await keep(query, other, editor);
    hits = served();
    await gqlData(gateway.url, query, other);
    expect(served()).toBe(hits + 1);

    // A bad signature, an expired or malformed token: executed (reads need no token), never served from the cache.
    const forged = `${editor.authorization.slice(0, -4)}AAAA`;
    hits = served();
    for (const authorization of [forged, "Bearer garbage", "Basic abc"]) {
      expect(await gqlData(gateway.url, query, variables, { authorization })).toEqual(anonymous);
    }
    expect(served()).toBe(hits);
  });

  it("never keeps nor shares an answer that selects a @private field", async () => {
    const query = `{ cacheStats { store } categories { id } }`;
    const hits = served();
    for (const headers of [await bearer(gateway, "admin"), await bearer(gateway, "editor"), {}, await bearer(gateway, "admin")]) {
      const response = await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      expect(response.headers.get("etag")).toBeNull();
    }
    expect(served()).toBe(hits);
  });

  it("keeps search answers whole, and retires them when a product write moves gen:search", async () => {
    const [product] = await db.sql.query<{ id: number; name: string }>(`SELECT id, name FROM products ORDER BY id LIMIT 1 OFFSET 9`);
    const search = `query($q: String!) { search(query: $q, mode: TEXT, first: 5) { totalCount hits { product { id name } } } }`;
    const word = product.name.split(/\s+/)[0];
    await keep(search, { q: word });
    const hits = served();
    // A description change moves gen:search (ranked text); a stock change that crosses no filter would not (precise footprints).
    await gqlAs(gateway, ["editor"], `mutation($id: ID!) { updateProduct(id: $id, input: { description: "Rewritten for the search test" }) { id } }`, { id: String(product.id) });
    await gqlData(gateway.url, search, { q: word });
    expect(served()).toBe(hits);
  });
});
