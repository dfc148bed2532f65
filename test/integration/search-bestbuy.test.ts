import type { Database } from "../../src/data/database";
import { importCatalog } from "../../src/data/import/import-catalog";
import { gql, gqlData } from "../helpers/gateway";
import { describeWithSharedData, sharedDataFiles } from "../helpers/shared-data";
import { useGateway } from "../helpers/use-gateway";

// Search on the real Best Buy catalog in the embedded database (PGlite with pgvector), so HYBRID
// fuses full text with vectors from the local embedder. Skipped, with the reason printed, without
// ../shared/data.
describeWithSharedData("search on the real Best Buy catalog (PGlite, HYBRID)", () => {
  let db: Database;
  let url: string;
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const SEARCH = `query($q: String!, $mode: SearchMode, $first: Int) {
    search(query: $q, mode: $mode, first: $first) {
      totalCount mode notices { code }
      hits { score product { id sku name brand } }
      facets { field values { value count } }
    }
  }`;
  const search = async (q: string, mode = "HYBRID", first = 20) => (await gqlData(url, SEARCH, { q, mode, first })).search;
  const names = (result: any): string[] => result.hits.map((hit: any) => hit.product.name);

  const fixture = useGateway({
    label: "bestbuy_search",
    database: "pglite",
    catalog: (db) => importCatalog(db, sharedDataFiles),
    env: { CACHE_STORE: "memory" },
  });
  beforeAll(() => {
    ({ db, url } = fixture);
  });

  it("indexed every product's vector on start", async () => {
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM product_embeddings`);
    expect(n).toBe(3291);
    const ready = (await (await fetch(new URL("/ready", url))).json()) as { vectors: unknown };
    expect(ready.vectors).toEqual({ vectorIndex: "pgvector", available: true, embedder: "local-hash-v1/128" });
  });

  it('returns iPhone 7 cases first for "iphone 7 case", in every mode', async () => {
    for (const mode of ["HYBRID", "TEXT", "VECTOR"]) {
      const result = await search("iphone 7 case", mode, 10);
      expect(result.mode).toBe(mode);
      expect(result.notices).toEqual([]);
      for (const name of names(result)) expect(name).toMatch(/case.*iphone\W*7\b|iphone\W*7\b.*case/i);
    }
  });

  it("returns a brand's products for the brand's name (or products that carry it in their names)", async () => {
    for (const brand of ["OtterBox", "Samsung", "LifeProof"]) {
      const result = await search(brand.toLowerCase(), "HYBRID", 20);
      expect(result.hits).toHaveLength(20);
      // "AT&T GoPhone - Samsung Galaxy Express 3" has the word in its name, and is the most popular.
      for (const hit of result.hits) expect(`${hit.product.brand} ${hit.product.name}`).toMatch(new RegExp(`\\b${brand}\\b`, "i"));
      expect(result.hits.filter((hit: any) => hit.product.brand === brand).length).toBeGreaterThanOrEqual(15);
    }
  });

  it("reads a quoted phrase and an exclusion as written", async () => {
    const phrase = await search('"screen protector"', "TEXT", 100);
    const [expected] = await sql<{ n: number }>(
      // The document rebuilt from the columns (the category path is the maintained category_text).
      `SELECT count(*)::int AS n FROM products WHERE (to_tsvector('english', name) || to_tsvector('english', brand) || to_tsvector('english', category_text) || to_tsvector('english', description)) @@ phraseto_tsquery('english', 'screen protector')`,
    );
    expect(phrase.totalCount).toBe(expected.n);
    for (const name of names(phrase).slice(0, 20)) expect(name).toMatch(/screen\W+protector/i);

    const excluded = await search("iphone 7 case -otterbox", "HYBRID", 100);
    expect(excluded.hits.length).toBeGreaterThan(10);
    for (const hit of excluded.hits.slice(0, 50)) expect(`${hit.product.name} ${hit.product.brand}`).not.toMatch(/otterbox/i);
  });

  it('autocompletes "samsu" to Samsung, and a search for "samsu" finds Samsung', async () => {
    const data = await gqlData(url, `{ autocomplete(prefix: "samsu", limit: 5) s: autocomplete(prefix: "s") }`);
    expect(data.autocomplete[0]).toBe("Samsung");
    for (const suggestion of data.autocomplete) expect(suggestion).toMatch(/samsu/i);
    expect(data.s).toHaveLength(10);
    const result = await search("samsu", "TEXT", 10);
    expect(result.totalCount).toBeGreaterThan(100);
    for (const name of names(result)) expect(name).toMatch(/samsung/i);
  });

  it("returns the product of an exact SKU first", async () => {
    for (const mode of ["HYBRID", "TEXT"]) {
      const result = await search("4984700", mode, 5);
      expect(result.hits[0]).toMatchObject({ score: 1, product: { sku: "4984700", brand: "AT&T GoPhone" } });
    }
  });

  it("counts HYBRID facets over every match (text matches and vector neighbours), equal to SQL", async () => {
    const hybrid = await search("wireless charger", "HYBRID", 1);
    const vector = await gqlData(url, `{ search(query: "wireless charger", mode: VECTOR, first: 100) { hits { product { id } } } }`);
    const neighbours = vector.search.hits.map((hit: any) => Number(hit.product.id));
    const where = `(to_tsvector('english', p.name || ' ' || p.brand || ' ' || p.category_text || ' ' || p.description) @@ to_tsquery('english', 'wireless & charger:*') OR p.id = ANY($1::int[]))`;
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM products p WHERE ${where}`, [neighbours]);
    expect(hybrid.totalCount).toBe(n);
    expect(hybrid.totalCount).toBeGreaterThan(neighbours.length);
    const brands = await sql<{ brand: string; n: number }>(`SELECT brand, count(*)::int AS n FROM products p WHERE ${where} GROUP BY brand ORDER BY n DESC, brand LIMIT 50`, [neighbours]);
    const facet = hybrid.facets.find((f: { field: string }) => f.field === "brand");
    expect(facet.values.map((v: any) => [v.value, v.count])).toEqual(brands.map((row) => [row.brand, row.n]));
    const tops = await sql<{ id: number; n: number }>(
      `SELECT split_part(c.path, '/', 2)::int AS id, count(*)::int AS n FROM products p JOIN categories c ON c.id = p.category_id WHERE ${where} GROUP BY 1 ORDER BY n DESC, 1::text`,
      [neighbours],
    );
    expect(hybrid.facets.find((f: { field: string }) => f.field === "category").values.map((v: any) => [v.value, v.count])).toEqual(
      tops.map((row) => [String(row.id), row.n]),
    );
  });

  it("finds what a typo means through the vector side, and through the vocabulary on the text side", async () => {
    const text = await search("otterbx defender", "TEXT", 5);
    expect(text.notices.map((notice: any) => notice.code)).toEqual(["SPELLING_CORRECTED"]);
    const hybrid = await search("otterbx defender", "HYBRID", 5);
    expect(hybrid.hits.length).toBe(5);
    for (const result of [text, hybrid]) for (const name of names(result)) expect(name).toMatch(/otterbox/i);
  });

  // Issue #14, by kind. `share(ids, category)`: how many of the hits sit below a category of that name.
  const share = async (result: any, category: string) => {
    const ids = result.hits.map((hit: any) => Number(hit.product.id));
    const rows = await sql<{ category_text: string }>(`SELECT category_text FROM products WHERE id = ANY($1::int[])`, [ids]);
    return rows.filter((row) => row.category_text.split(" / ").includes(category)).length / Math.max(1, ids.length);
  };
  const codes = (result: any): string[] => result.notices.map((notice: any) => notice.code);

  it("finds a category by its words: the category path is in the document", async () => {
    for (const mode of ["HYBRID", "TEXT"]) {
      expect(await share(await search("unlocked cell phones", mode, 20), "Unlocked Cell Phones")).toBeGreaterThan(0.8);
      expect(await share(await search("screen protectors", mode, 20), "Screen Protectors")).toBeGreaterThan(0.5);
    }
  });

  it("ranks a carrier's phones, not accessories that mention it, for '<carrier> phones'", async () => {
    for (const mode of ["HYBRID", "TEXT"]) {
      const result = await search("sprint phones", mode, 10);
      expect(await share(result, "Cell Phone Accessories")).toBe(0);
      for (const name of names(result)) expect(name).toMatch(/sprint/i);
    }
  });

  it("ranks a model's phones before the accessories that name it (popularity within a field tier)", async () => {
    for (const mode of ["HYBRID", "TEXT"]) {
      const result = await search("iphone", mode, 10);
      expect(await share(result, "Cell Phone Accessories")).toBe(0);
      for (const name of names(result)) expect(name).toMatch(/iphone/i);
    }
  });

  it("finds a category the product file names below a level it leaves out (Internal Batteries)", async () => {
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM products WHERE category_text LIKE '%/ Internal Batteries'`);
    expect(n).toBe(22);
    for (const mode of ["HYBRID", "TEXT"]) expect(await share(await search("internal batteries", mode, 10), "Internal Batteries")).toBe(1);
  });

  it("keeps HYBRID's vector-only neighbours inside the category intent", async () => {
    const INTENT = `query($q: String!, $mode: SearchMode) { search(query: $q, mode: $mode, first: 100) { totalCount hits { product { id } } categoryIntent { category { name } } } }`;
    let intents = 0;
    for (const q of ["sprint phones", "internal batteries", "selfie sticks", "signal boosters", "sim cards", "bluetooth headsets", "car chargers", "data cables", "smart tracker tags"]) {
      const text = (await gqlData(url, INTENT, { q, mode: "TEXT" })).search;
      const hybrid = (await gqlData(url, INTENT, { q, mode: "HYBRID" })).search;
      // Only where the page holds every text match, so that a hit missing from it is the vector side's alone.
      if (!hybrid.categoryIntent || text.totalCount > 100) continue;
      intents++;
      const textIds = new Set(text.hits.map((hit: any) => hit.product.id));
      const vectorOnly = hybrid.hits.filter((hit: any) => !textIds.has(hit.product.id));
      // Every neighbour the text side did not match sits inside the intent (without the rule, the
      // vector side's 100 neighbours would fill the page past these few text matches).
      if (vectorOnly.length > 0) expect(await share({ hits: vectorOnly }, hybrid.categoryIntent.category.name)).toBe(1);
      // Nothing the text side matched is lost.
      expect(hybrid.hits.length).toBeGreaterThanOrEqual(text.hits.length);
    }
    expect(intents).toBeGreaterThanOrEqual(5);
  });

  it("drops a word that matches nothing instead of returning nothing", async () => {
    const result = await search("otterbox cases cheap", "TEXT", 10);
    expect(codes(result)).toEqual(["RELAXED_MATCH"]);
    expect(result.hits).toHaveLength(10);
    // "cover" is a synonym of "case" in the default rules.
    for (const name of names(result)) expect(name).toMatch(/^otterbox\b.*\b(case|cover)/i);
  });

  it("answers a query of stop words only from its words, or says so", async () => {
    for (const mode of ["HYBRID", "TEXT"]) expect(codes(await search("what is it", mode, 5))).toEqual(["STOP_WORDS_ONLY"]);
  });

  it("tolerates typos, joined model numbers and split words", async () => {
    const samsung = await search("samsng galaxy", "TEXT", 10);
    expect(codes(samsung)).toEqual(["SPELLING_CORRECTED"]);
    for (const name of names(samsung)) expect(name).toMatch(/samsung\W+galaxy/i);
    const protector = await search("screen protecter", "TEXT", 10);
    for (const name of names(protector)) expect(name).toMatch(/screen protector/i);
    const iphone7 = await search("iphone7 case", "TEXT", 10);
    expect(iphone7.notices).toEqual([]);
    for (const name of names(iphone7)) expect(name).toMatch(/iphone\W*7\b/i);
    const headset = await search("head set", "TEXT", 10);
    expect(headset.hits.length).toBe(10);
    for (const name of names(headset)) expect(name).toMatch(/head\s?set/i);
  });

  it("matches singular and plural alike", async () => {
    const [one, many] = [await search("case", "TEXT", 1), await search("cases", "TEXT", 1)];
    expect(one.totalCount).toBe(many.totalCount);
    expect(one.totalCount).toBeGreaterThan(1000);
  });

  it("expands the catalog's abbreviations from the synonym rules", async () => {
    const tmo = await search("tmo", "TEXT", 20);
    expect(tmo.totalCount).toBe((await search("t-mobile", "TEXT", 1)).totalCount);
    // Products named T-Mobile first; further hits mention it in their description.
    // ("AT&T/T-Mobile" reads as one token, a file path, to the parser: not counted.)
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM products WHERE name ~* '(^|[ (])t-mobile'`);
    expect(n).toBeGreaterThan(1);
    for (const name of names(tmo).slice(0, n)) expect(name).toMatch(/t-mobile/i);
    const refurb = await search("refurb", "TEXT", 20);
    expect(refurb.hits.length).toBe(20);
    for (const name of names(refurb)) expect(name).toMatch(/refurbished/i);
  });

  it("states the category intent in the result, the facets and extensions, and ranks its products first", async () => {
    const response = await gql(url, `{ search(query: "galaxy s7 case", mode: HYBRID, first: 20) {
      categoryIntent { category { name } share } hits { product { id name } } facets { field values { value intent } } } }`);
    const result = (response.data as any).search;
    expect(result.categoryIntent.category.name).toMatch(/case/i);
    expect(result.categoryIntent.share).toBeGreaterThanOrEqual(0.6);
    expect((response.extensions as any).categoryIntents).toEqual([
      expect.objectContaining({ path: ["search"], share: result.categoryIntent.share, categoryId: expect.any(Number) }),
    ]);
    expect(result.facets.find((facet: any) => facet.field === "leafCategory").values.some((value: any) => value.intent)).toBe(true);
    expect(await share(result, result.categoryIntent.category.name)).toBeGreaterThan(0.8);
    // The reverse: a query that names phones, not an accessory, gets phones first.
    const phones = await search("samsung galaxy s7 unlocked", "HYBRID", 10);
    expect(await share(phones, "Cell Phone Accessories")).toBeLessThan(0.5);
  });

  it("answers an unknown facet field with BAD_USER_INPUT", async () => {
    const response = await gql(url, `{ search(query: "case", facets: ["color"]) { totalCount } }`);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "facets[0]" });
  });
});
