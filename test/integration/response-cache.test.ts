import type { Gateway } from "../../src/server";
import type { Database } from "../../src/data/database";
import { bearer, gql, gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// Whole responses of anonymous queries, over HTTP on the real Redis: served again while what they
// were computed from is unchanged, executed again as soon as a write touches any of it.
describe("the whole-response cache", () => {
  let db: Database;
  let gateway: Gateway;

  const fixture = useGateway({
    label: "resp",
    catalog: { products: 300, categories: 20 },
    redis: true,
    // These tests count SQL statements and hits: on a loaded machine a store call past the default
    // 250 ms timeout would turn a hit into a (correct, but counted) database read.
    env: { REDIS_COMMAND_TIMEOUT_MS: "3000" },
  });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });

  const served = () => gateway.cache.stats.snapshot().resp?.hit ?? 0;
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
    await gqlAs(gateway, ["editor"], `mutation($id: ID!, $c: ID!) { updateProduct(id: $id, input: { categoryId: $c }) { id } }`, {
      id: String(outsider.id),
      c: String(leaf.id),
    });
    const after = await gqlData(gateway.url, listing, { id: String(leaf.id) });
    expect(after.category.productCount).toBe(before.category.productCount + 1);
    expect(after.category.products.edges.map((e: any) => e.node.id)).toContain(String(outsider.id));
  });

  it("keeps no answer with an error, to a token holder, or to a cache trace, and never a mutation", async () => {
    const start = served();
    for (let i = 0; i < 3; i += 1) {
      await gql(gateway.url, `{ products(first: -1) { totalCount } }`);
      await gqlData(gateway.url, `{ categories { id } }`, {}, await bearer(gateway, "editor"));
      await gql(gateway.url, `{ categories { name } }`, {}, { "x-cache-trace": "1" });
      await gqlAs(gateway, ["admin"], `mutation { invalidateCache(family: STATS) { generations } }`);
    }
    expect(served()).toBe(start);
  });
});
