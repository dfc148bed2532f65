import { Redis } from "ioredis";
import { applyFootprint } from "../../src/cache/invalidation";
import type { Gateway } from "../../src/server";
import type { Database } from "../../src/data/database";
import { gql, gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// Query.search over HTTP on PostgreSQL (this machine's has no pgvector, so TEXT answers and HYBRID
// falls back to it with a notice) with the real Redis as cache. Every count is checked against
// SQL written here from the product columns, not from the search code's own statements.
describe("search over HTTP (generated catalog, PostgreSQL, Redis)", () => {
  let db: Database;
  let gateway: Gateway;
  let url: string;
  let redis: Redis;
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  // Independent of the generated column: the document rebuilt from the columns and the category
  // path's names (read from the categories, not from the maintained products.category_text).
  const categoryPath = `coalesce((SELECT string_agg(a.name, ' / ' ORDER BY a.depth) FROM categories c JOIN categories a
                         ON a.id = ANY (string_to_array(trim(BOTH '/' FROM c.path), '/')::int[]) WHERE c.id = p.category_id), '')`;
  const doc = `(setweight(to_tsvector('english', p.name), 'A') || setweight(to_tsvector('english', p.brand), 'B') || setweight(to_tsvector('english', ${categoryPath}), 'C') || setweight(to_tsvector('english', p.description), 'D'))`;
  const matchCount = async (tsquery: string, params: unknown[]) =>
    Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM products p WHERE ${doc} @@ ${tsquery}`, params))[0].n);

  const SEARCH = `query($q: String!, $mode: SearchMode, $first: Int, $after: String, $filter: ProductFilter, $categoryId: ID, $facets: [String!]) {
    search(query: $q, mode: $mode, first: $first, after: $after, filter: $filter, categoryId: $categoryId, facets: $facets) {
      totalCount mode notices { code message }
      hits { score product { id sku name brand description price stock category { id path: slug } } }
      facets { field values { value count min max category { id name } } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  const search = async (variables: Record<string, unknown>) => (await gqlData(url, SEARCH, { mode: "TEXT", first: 100, ...variables })).search;

  const fixture = useGateway({
    label: "search",
    catalog: { products: 2000, categories: 60 },
    redis: true,
    // Exact counts against SQL: no synonym rules (test/integration/search-relevance.test.ts has them).
    env: { SEARCH_SYNONYMS_FILE: "" },
  });
  beforeAll(() => {
    ({ db, gateway, redis } = fixture);
    url = gateway.url;
  });

  it("matches every word, ranks name matches first and counts all matches like SQL", async () => {
    const result = await search({ q: "  Rugged   CASE " });
    expect(result.totalCount).toBe(await matchCount(`to_tsquery('english', 'rugged & case:*')`, []));
    expect(result.totalCount).toBeGreaterThan(0);
    for (const { product } of result.hits) expect(`${product.name} ${product.description}`).toMatch(/rugged/i);
    // Name (weight A) matches outrank description-only (weight D) matches.
    const inName = result.hits.map((hit: any) => /rugged/i.test(hit.product.name) && /case/i.test(hit.product.name));
    expect(inName.indexOf(false) === -1 || inName.slice(inName.indexOf(false)).every((x: boolean) => !x)).toBe(true);
    const scores = result.hits.map((hit: any) => hit.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("reads a quoted phrase, an exclusion and `or` as written", async () => {
    const phrase = await search({ q: '"water resistance"' });
    expect(phrase.totalCount).toBe(await matchCount(`phraseto_tsquery('english', 'water resistance')`, []));
    expect(phrase.totalCount).toBeGreaterThan(0);
    for (const { product } of phrase.hits) expect(`${product.name} ${product.description}`).toMatch(/water\W+resist/i);
    const loose = await search({ q: "resistance water" });
    expect(loose.totalCount).toBeGreaterThanOrEqual(phrase.totalCount);

    const excluded = await search({ q: "smartphone -sand" });
    const all = await matchCount(`to_tsquery('english', 'smartphone')`, []);
    const sand = await matchCount(`to_tsquery('english', 'smartphone & sand')`, []);
    expect(sand).toBeGreaterThan(0);
    expect(excluded.totalCount).toBe(all - sand);
    for (const { product } of excluded.hits) expect(`${product.name} ${product.brand} ${product.description}`).not.toMatch(/\bsands?\b/i);

    const either = await search({ q: "smartphone or laptop" });
    expect(either.totalCount).toBe(await matchCount(`to_tsquery('english', 'smartphone | laptop:*')`, []));
    expect(either.totalCount).toBeGreaterThan(all);
  });

  it("matches the last word as a prefix while it is being typed", async () => {
    const typing = await search({ q: "smartpho" });
    expect(typing.totalCount).toBe(await matchCount(`to_tsquery('english', 'smartpho:*')`, []));
    expect(typing.totalCount).toBeGreaterThan(0);
    expect(typing.hits[0].product.name).toMatch(/smartphone/i);
  });

  it("puts the product of an exact SKU first", async () => {
    const [row] = await sql<{ id: number; sku: string }>(`SELECT id, sku FROM products ORDER BY popularity, id LIMIT 1`);
    for (const mode of ["TEXT", "HYBRID"]) {
      const result = await search({ q: row.sku, mode });
      expect(result.hits[0]).toMatchObject({ score: 1, product: { id: String(row.id), sku: row.sku } });
    }
  });

  it("filters on category subtree, price, brand, stock and attributes before ranking, like SQL", async () => {
    const [root] = await sql<{ id: number; path: string }>(
      `SELECT c.id, c.path FROM categories c WHERE c.parent_id IS NULL ORDER BY (SELECT count(*) FROM products p JOIN categories d ON d.id = p.category_id WHERE d.path LIKE c.path || '%') DESC LIMIT 1`,
    );
    const [{ brand }] = await sql<{ brand: string }>(
      `SELECT p.brand FROM products p JOIN categories c ON c.id = p.category_id WHERE c.path LIKE $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
      [`${root.path}%`],
    );
    const [{ word }] = await sql<{ word: string }>(
      `SELECT word FROM ts_stat($$SELECT to_tsvector('english', p.name) FROM products p JOIN categories c ON c.id = p.category_id WHERE c.path LIKE '${root.path}%'$$)
        WHERE word ~ '^[a-z]{4,}$' ORDER BY ndoc DESC LIMIT 1`,
    );
    const result = await search({ q: word, categoryId: String(root.id), filter: { brands: [brand], minPrice: 20, maxPrice: 2000, inStock: true, attributes: [{ name: "color", values: ["Black", "Silver"] }] } });
    const [expected] = await sql<{ n: string }>(
      `SELECT count(*) AS n FROM products p JOIN categories c ON c.id = p.category_id
        WHERE ${doc} @@ to_tsquery('english', $1 || ':*') AND c.path LIKE $2 AND p.brand = $3 AND p.price BETWEEN 20 AND 2000
          AND p.stock > 0 AND p.attributes->>'color' IN ('Black', 'Silver')`,
      [word, `${root.path}%`, brand],
    );
    expect(result.totalCount).toBe(Number(expected.n));
    expect(result.totalCount).toBeGreaterThan(0);
    for (const { product } of result.hits) {
      expect(product.brand).toBe(brand);
      expect(product.price).toBeGreaterThanOrEqual(20);
      expect(product.price).toBeLessThanOrEqual(2000);
      expect(product.stock).toBeGreaterThan(0);
    }
  });

  it("counts facets over all matches, not the page, equal to SQL", async () => {
    const result = await search({ q: "black", first: 5 });
    const where = `${doc} @@ to_tsquery('english', 'black:*')`;
    expect(result.totalCount).toBe(Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM products p WHERE ${where}`))[0].n));
    expect(result.hits).toHaveLength(5);
    const facet = (field: string) => result.facets.find((f: { field: string }) => f.field === field).values;
    const brands = await sql<{ value: string; n: number }>(`SELECT brand AS value, count(*)::int AS n FROM products p WHERE ${where} GROUP BY 1 ORDER BY n DESC, 1`);
    expect(facet("brand").map((v: any) => [v.value, v.count])).toEqual(brands.slice(0, 50).map((row) => [row.value, row.n]));
    const tops = await sql<{ id: number; name: string; n: number }>(
      `SELECT r.id, r.name, count(*)::int AS n FROM products p JOIN categories c ON c.id = p.category_id
         JOIN categories r ON r.parent_id IS NULL AND c.path LIKE r.path || '%' WHERE ${where} GROUP BY r.id, r.name ORDER BY n DESC, r.id::text`,
    );
    expect(facet("category").map((v: any) => [v.value, v.count, v.category.name])).toEqual(tops.map((row) => [String(row.id), row.n, row.name]));
    const leaves = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM products p WHERE ${where} GROUP BY category_id`);
    expect(facet("leafCategory").reduce((sum: number, v: any) => sum + v.count, 0)).toBe(
      leaves.sort((a, b) => b.n - a.n).slice(0, 50).reduce((sum, row) => sum + row.n, 0),
    );
    const [prices] = await sql<{ low: number; mid: number; high: number }>(
      `SELECT count(*) FILTER (WHERE price < 25)::int AS low, count(*) FILTER (WHERE price >= 100 AND price < 250)::int AS mid,
              count(*) FILTER (WHERE price >= 2500)::int AS high FROM products p WHERE ${where}`,
    );
    const price = (value: string) => facet("price").find((v: any) => v.value === value)?.count ?? 0;
    expect([price("0-25"), price("100-250"), price("2500+")]).toEqual([prices.low, prices.mid, prices.high]);
    expect(facet("price").find((v: any) => v.value === "100-250")).toMatchObject({ min: 100, max: 250 });
    expect(facet("price").reduce((sum: number, v: any) => sum + v.count, 0)).toBe(result.totalCount);

    const some = await search({ q: "black", first: 1, facets: ["brand"] });
    expect(some.facets.map((f: { field: string }) => f.field)).toEqual(["brand"]);
  });

  it("pages with cursors that add up to the one-page ranking, without repeats", async () => {
    const whole = await search({ q: "black", first: 100 });
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result: any = await search({ q: "black", first: 30, after });
      expect(result.totalCount).toBe(whole.totalCount);
      seen.push(...result.hits.map((hit: any) => hit.product.id));
      after = result.pageInfo.endCursor;
      if (seen.length >= 100 || !result.pageInfo.hasNextPage) break;
    }
    expect(seen.slice(0, 100)).toEqual(whole.hits.map((hit: any) => hit.product.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("answers HYBRID from text with a notice in extensions when there is no vector index, and VECTOR with SERVICE_UNAVAILABLE", async () => {
    const response = await gql(url, `{ search(query: "camera", first: 3) { mode totalCount notices { code message } } }`);
    expect(response.errors).toBeUndefined();
    expect((response.data as any).search.mode).toBe("TEXT");
    expect((response.data as any).search.notices[0].code).toBe("VECTOR_SEARCH_UNAVAILABLE");
    expect(response.extensions?.notices).toEqual([
      expect.objectContaining({ code: "VECTOR_SEARCH_UNAVAILABLE", path: ["search"], message: expect.stringMatching(/full text only/) }),
    ]);
    const vector = await gql(url, `{ search(query: "camera", mode: VECTOR) { totalCount } }`);
    expect(vector.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    const ready = (await (await fetch(new URL("/ready", url))).json()) as { vectors: unknown };
    expect(ready.vectors).toMatchObject({ vectorIndex: "none", available: null });
  });

  it.each([
    ["an empty query", { q: "   " }, "query"],
    ["a 1,000-character query", { q: "a".repeat(1000) }, "query"],
    ["a first over the maximum", { q: "camera", first: 101 }, "first"],
    ["an unknown facet field", { q: "camera", facets: ["brand", "colour"] }, "facets[1]"],
    ["a cursor that is not one", { q: "camera", after: "bm9wZQ" }, "after"],
    ["a minPrice above maxPrice", { q: "camera", filter: { minPrice: 9, maxPrice: 1 } }, "filter.minPrice"],
  ])("refuses %s with BAD_USER_INPUT naming the field", async (_label, variables, field) => {
    const response = await gql(url, SEARCH, { mode: "TEXT", ...variables });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
  });

  it("refuses a cursor of another search and an unknown category", async () => {
    const first = await search({ q: "smartphone", first: 2 });
    expect(first.pageInfo.endCursor).toEqual(expect.any(String));
    const other = await gql(url, SEARCH, { q: "smartwatch", mode: "TEXT", after: first.pageInfo.endCursor });
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    const missing = await gql(url, SEARCH, { q: "camera", categoryId: "999999" });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND" });
  });

  describe("cache", () => {
    const statements = async (work: () => Promise<unknown>) => {
      const before = db.counter.statements;
      await work();
      return db.counter.statements - before;
    };

    it("stores the normalized request once and answers it again with no SQL and one search round trip", async () => {
      const query = `query($q: String!) { search(query: $q, mode: TEXT, first: 20) { totalCount hits { score product { id name } } facets { field values { value count } } } }`;
      const cold = await statements(() => gqlData(url, query, { q: "Air  Purifier" }));
      expect(cold).toBeGreaterThan(0);
      let trace: any;
      const warm = await statements(async () => {
        const response = await gql(url, query, { q: "  air purifier" }, { "x-cache-trace": "1" });
        expect(response.errors).toBeUndefined();
        trace = response.extensions?.cache;
      });
      expect(warm).toBe(0);
      expect(trace.families.search).toEqual({ hits: 1, misses: 0, roundTrips: 1 });
      // Test inspection only; a lease another search's fill still holds (TTL of seconds) is not an entry.
      const keys = (await redis.keys(`${fixture.prefix}{search:*`)).filter((key) => !key.endsWith("#lease"));
      expect(keys.length).toBeGreaterThan(0);
      const ttl = await redis.ttl(keys[0]);
      expect(ttl).toBeGreaterThan(600 * 0.85);
      expect(ttl).toBeLessThanOrEqual(600);
    });

    const editor = async (query: string, variables: Record<string, unknown>) => {
      const response = await gqlAs(gateway, ["editor"], query, variables);
      if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
      return response.data as Record<string, any>;
    };
    // In a category no attribute definition applies to, so any product is valid there.
    const createProduct = async (name: string) => {
      const { createCategory } = await editor(`mutation { createCategory(input: { name: "Search Probes" }) { id } }`, {});
      const { createProduct: created } = await editor(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id sku } }`, {
        input: { sku: `NEW-${Date.now()}`, name, description: "A new product.", brand: "Zephyrine", price: 49.99, stock: 5, categoryId: createCategory.id },
      });
      return { id: Number(created.id), sku: created.sku as string };
    };
    const deleteProduct = (id: number) => editor(`mutation($id: ID!) { deleteProduct(id: $id) { deleted } }`, { id: String(id) });

    it("shows a new product in a cached search right after the write, and drops it right after its delete", async () => {
      const query = `{ search(query: "quasar blender", mode: TEXT) { totalCount hits { product { id name } } } }`;
      const before = await gqlData(url, query);
      expect(before.search.totalCount).toBe(0);
      expect(await statements(() => gqlData(url, query))).toBe(0);

      const created = await createProduct("Zephyrine - Quasar Blender - Chrome");
      const after = await gqlData(url, query);
      expect(after.search.hits.map((hit: any) => hit.product.id)).toEqual([String(created.id)]);
      const hybrid = await gqlData(url, `{ search(query: "quasar blender") { hits { product { id } } } }`);
      expect(hybrid.search.hits[0].product.id).toBe(String(created.id));

      await deleteProduct(created.id);
      const gone = await gqlData(url, query);
      expect(gone.search.totalCount).toBe(0);
      expect(gone.search.hits).toEqual([]);
    });

    it("answers a cached search from the cache until any product write retires it (one generation for the family)", async () => {
      const query = `{ search(query: "smartwatch", mode: TEXT, first: 5) { totalCount } }`;
      await gqlData(url, query);
      expect(await statements(() => gqlData(url, query))).toBe(0);
      await applyFootprint(gateway.cache.store!, gateway.keys, { search: true });
      expect(await statements(() => gqlData(url, query))).toBeGreaterThan(0);
    });
  });
});
