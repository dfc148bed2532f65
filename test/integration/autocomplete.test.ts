import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { gql, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// Query.autocomplete over HTTP: brands and product names by prefix, most popular first, cached.
describe("autocomplete over HTTP (generated catalog, PostgreSQL)", () => {
  let db: Database;
  let gateway: Gateway;
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const complete = async (prefix: string, limit?: number) =>
    (await gqlData(gateway.url, `query($p: String!, $l: Int) { autocomplete(prefix: $p, limit: $l) }`, { p: prefix, l: limit })).autocomplete as string[];

  const fixture = useGateway({ label: "complete", catalog: { products: 1500, categories: 40 }, env: { CACHE_STORE: "memory" } });
  beforeAll(() => {
    ({ db, gateway } = fixture);
  });

  it("puts the most popular brand starting with the prefix first, then names with a word starting with it", async () => {
    const [top] = await sql<{ brand: string }>(`SELECT brand FROM products GROUP BY brand ORDER BY sum(popularity) DESC LIMIT 1`);
    const prefix = top.brand.slice(0, 2).toLowerCase();
    const [expected] = await sql<{ brand: string }>(
      `SELECT brand FROM products WHERE lower(brand) LIKE $1 GROUP BY brand ORDER BY sum(popularity) DESC, brand LIMIT 1`,
      [`${prefix}%`],
    );
    const suggestions = await complete(prefix, 10);
    expect(suggestions[0]).toBe(expected.brand);
    expect(suggestions).toHaveLength(10);
    for (const suggestion of suggestions) expect(suggestion.toLowerCase()).toMatch(new RegExp(`(^|[^\\p{L}\\p{N}])${prefix}`, "u"));
  });

  it("ranks product names by popularity and completes every word of a longer prefix", async () => {
    const [product] = await sql<{ name: string; brand: string }>(`SELECT name, brand FROM products ORDER BY popularity DESC, id LIMIT 1`);
    const words = product.name.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const prefix = `${words[0]} ${words[1].slice(0, 3)}`;
    const suggestions = await complete(prefix, 5);
    expect(suggestions).toContain(product.name);
    // Names come in popularity order (brands have their own, summed, popularity).
    const names = suggestions.filter((s) => s.includes(" - "));
    const pops = await sql<{ name: string; popularity: number }>(`SELECT name, max(popularity) AS popularity FROM products WHERE name = ANY($1) GROUP BY name`, [names]);
    const byName = new Map(pops.map((row) => [row.name, row.popularity]));
    const order = names.map((name) => byName.get(name)!);
    expect([...order].sort((a, b) => b - a)).toEqual(order);
  });

  it("answers a prefix of one letter with one statement, then from the cache", async () => {
    const before = db.counter.statements;
    const suggestions = await complete("s");
    expect(suggestions).toHaveLength(10);
    expect(db.counter.statements - before).toBe(1);
    await complete("  S ");
    expect(db.counter.statements - before).toBe(1);
  });

  it("answers an empty prefix or a limit out of range with BAD_USER_INPUT, and a prefix of no word with nothing", async () => {
    const empty = await gql(gateway.url, `{ autocomplete(prefix: " ") }`);
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "prefix" });
    const limit = await gql(gateway.url, `{ autocomplete(prefix: "s", limit: 0) }`);
    expect(limit.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "limit" });
    expect(await complete("--")).toEqual([]);
    expect(await complete("%")).toEqual([]);
  });
});
