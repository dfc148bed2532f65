import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "../../src/data/database";
import type { Gateway } from "../../src/server";
import { gql, gqlAs, gqlData } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// Search relevance on the generated catalog in PostgreSQL (TEXT: this machine's server has no
// pgvector), with the in-process cache: the category path in the document and how it follows
// category renames and moves, typos, a word that matches nothing, stop words, synonyms from the
// operator's file. Expectations are computed here in SQL from the columns, not from the search code.
const synonymsFile = path.join(mkdtempSync(path.join(tmpdir(), "cg-synonyms-")), "synonyms.txt");
writeFileSync(synonymsFile, "# the operator's own rules\nzapper => rugged\n");

describe("search relevance (generated catalog, PostgreSQL)", () => {
  let db: Database;
  let gateway: Gateway;
  let url: string;
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const SEARCH = `query($q: String!, $first: Int) {
    search(query: $q, mode: TEXT, first: $first) {
      totalCount notices { code message }
      hits { product { id name brand category { id } } }
      categoryIntent { category { id name } share }
      facets { field values { value intent } }
    }
  }`;
  const search = async (q: string, first = 50) => (await gqlData(url, SEARCH, { q, first })).search;
  const codes = (result: any): string[] => result.notices.map((notice: any) => notice.code);
  const write = async (query: string, variables: Record<string, unknown>) => {
    const response = await gqlAs(gateway, ["editor"], query, variables);
    expect(response.errors).toBeUndefined();
  };
  // The category path rebuilt from the categories table, independently of the triggers.
  const pathNames = `(SELECT string_agg(a.name, ' / ' ORDER BY a.depth) FROM categories c JOIN categories a
                       ON a.id = ANY (string_to_array(trim(BOTH '/' FROM c.path), '/')::int[]) WHERE c.id = p.category_id)`;

  const fixture = useGateway({
    label: "search_relevance",
    catalog: { products: 1500, categories: 60 },
    env: { CACHE_STORE: "memory", SEARCH_SYNONYMS_FILE: synonymsFile },
  });
  beforeAll(() => {
    ({ db, gateway } = fixture);
    url = gateway.url;
  });

  it("keeps every product's category path in the maintained column the document reads", async () => {
    const [row] = await sql<{ stale: number; n: number }>(`SELECT count(*) FILTER (WHERE p.category_text IS DISTINCT FROM ${pathNames})::int AS stale, count(*)::int AS n FROM products p`);
    expect(row).toEqual({ stale: 0, n: 1500 });
    const [{ vocabulary }] = await sql<{ vocabulary: number }>(`SELECT count(*)::int AS vocabulary FROM search_words WHERE word = 'rugged'`);
    expect(vocabulary).toBe(1);
  });

  it("finds a category's products by its name, and follows a rename (cached answers retired, new words searchable)", async () => {
    const [leaf] = await sql<{ id: number; path: string; n: number }>(
      `SELECT c.id, c.path, count(*)::int AS n FROM categories c JOIN products p ON p.category_id = c.id GROUP BY c.id ORDER BY n DESC, c.id LIMIT 1`,
    );
    const before = await search("zyxwvut", 5);
    expect(before.totalCount).toBe(0);
    await write(`mutation($id: ID!) { updateCategory(id: $id, input: { name: "Zyxwvut Gadgets" }) { id } }`, { id: String(leaf.id) });
    const [{ below }] = await sql<{ below: number }>(
      `SELECT count(*)::int AS below FROM products p JOIN categories c ON c.id = p.category_id WHERE c.path LIKE $1 || '%'`,
      [leaf.path],
    );
    const after = await search("zyxwvut", 100);
    expect(after.totalCount).toBe(below);
    expect(after.totalCount).toBeGreaterThan(0);
    expect(after.categoryIntent).toMatchObject({ category: { id: String(leaf.id), name: "Zyxwvut Gadgets" }, share: 1 });
    const leafFacet = after.facets.find((facet: any) => facet.field === "leafCategory");
    expect(leafFacet.values.find((value: any) => value.value === String(leaf.id))).toEqual({ value: String(leaf.id), intent: true });
    const [{ stale }] = await sql<{ stale: number }>(`SELECT count(*) FILTER (WHERE p.category_text IS DISTINCT FROM ${pathNames})::int AS stale FROM products p`);
    expect(stale).toBe(0);
  });

  it("follows a move: the products below carry their new ancestors' names", async () => {
    const [moved] = await sql<{ id: number; path: string }>(`SELECT id, path FROM categories WHERE depth = 1 AND EXISTS (SELECT 1 FROM categories d WHERE d.parent_id = categories.id) ORDER BY id LIMIT 1`);
    const [target] = await sql<{ id: number; name: string }>(
      `SELECT id, name FROM categories WHERE depth = 0 AND $1 NOT LIKE path || '%' ORDER BY id LIMIT 1`,
      [moved.path],
    );
    await write(`mutation($id: ID!) { updateCategory(id: $id, input: { name: "Qwertyuiop Shelf" }) { id } }`, { id: String(target.id) });
    await write(`mutation($id: ID!, $to: ID!) { updateCategory(id: $id, input: { parentId: $to }) { id } }`, { id: String(moved.id), to: String(target.id) });
    const [{ below }] = await sql<{ below: number }>(
      `SELECT count(*)::int AS below FROM products p JOIN categories c ON c.id = p.category_id WHERE c.path LIKE $1 || '%'`,
      [`${(await sql<{ path: string }>(`SELECT path FROM categories WHERE id = $1`, [target.id]))[0].path}`],
    );
    expect((await search("qwertyuiop", 1)).totalCount).toBe(below);
    const [{ stale }] = await sql<{ stale: number }>(`SELECT count(*) FILTER (WHERE p.category_text IS DISTINCT FROM ${pathNames})::int AS stale FROM products p`);
    expect(stale).toBe(0);
  });

  // The generated catalog's most frequent brand of at least 6 letters.
  const topBrand = async () =>
    (await sql<{ brand: string; n: number }>(`SELECT brand, count(*)::int AS n FROM products WHERE length(brand) >= 6 GROUP BY brand ORDER BY n DESC, brand LIMIT 1`))[0];

  it("corrects a typo in a brand from the vocabulary, and says so", async () => {
    const { brand, n } = await topBrand();
    const typo = brand.toLowerCase().slice(0, 3) + brand.toLowerCase().slice(4);
    const result = await search(typo, 100);
    expect(codes(result)).toEqual(["SPELLING_CORRECTED"]);
    expect(result.notices[0].message).toContain(brand.toLowerCase());
    expect(result.totalCount).toBeGreaterThanOrEqual(n);
    for (const hit of result.hits.slice(0, Math.min(20, n))) expect(hit.product.brand).toBe(brand);
  });

  it("drops a word that matches nothing, ranking products with most words first", async () => {
    const { brand, n } = await topBrand();
    const result = await search(`${brand.toLowerCase()} plimbo`, 20);
    expect(codes(result)).toEqual(["RELAXED_MATCH"]);
    expect(result.hits.length).toBe(Math.min(20, n));
    for (const hit of result.hits) expect(hit.product.brand).toBe(brand);
  });

  it("answers a query of stop words from the words themselves or says so", async () => {
    const result = await search("what is it", 5);
    expect(codes(result)).toEqual(["STOP_WORDS_ONLY"]);
    expect(result.notices[0].message).toContain('"what is it" has only common words');
    const response = await gql(url, `{ search(query: "the and of", mode: TEXT) { totalCount } }`);
    expect((response.extensions as any).notices.map((notice: any) => notice.code)).toEqual(["STOP_WORDS_ONLY"]);
  });

  it("applies the operator's synonym file to the query", async () => {
    const result = await search("zapper", 50);
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM products p WHERE p.search_vector @@ to_tsquery('english', 'rugged')`);
    expect(n).toBeGreaterThan(0);
    expect(result.totalCount).toBe(n);
    expect(result.notices).toEqual([]);
    expect(result.hits[0].product.name).toMatch(/rugged/i);
  });

  it("ranks by the fields that hold the words (name, brand, category path, description), then popularity", async () => {
    // Written in SQL, so the insert trigger fills the category path; popularity is not a GraphQL field.
    const [{ id: categoryId }] = await sql<{ id: number }>(`SELECT id FROM categories ORDER BY depth DESC, id LIMIT 1`);
    const insert = (sku: string, name: string, description: string, popularity: number) =>
      sql(`INSERT INTO products (sku, name, description, brand, price, stock, popularity, attributes, category_id, updated_at)
           VALUES ($1, $2, $3, 'Acme', 10, 1, $4, '{}', $5, now())`, [sku, name, description, popularity, categoryId]);
    await insert("TIER-DESC", "Plain widget", "Works with every quorblex", 1_000_000);
    await insert("TIER-NAME-LOW", "Quorblex widget", "A widget", 10);
    await insert("TIER-NAME-HIGH", "Quorblex gadget", "A gadget", 5_000);
    const result = await gqlData(url, `{ search(query: "quorblex", mode: TEXT) { hits { score product { sku } } } }`);
    // Both names first, the more popular one ahead; the description match last, however popular.
    expect(result.search.hits.map((hit: any) => hit.product.sku)).toEqual(["TIER-NAME-HIGH", "TIER-NAME-LOW", "TIER-DESC"]);
    for (const hit of result.search.hits) expect(hit.score).toBeLessThan(1);
    const rows = await sql<{ stale: number }>(`SELECT count(*)::int AS stale FROM products p WHERE sku LIKE 'TIER-%' AND p.category_text IS DISTINCT FROM ${pathNames}`);
    expect(rows[0].stale).toBe(0);
  });

  // A product of the deepest category, with no description, named and as popular as the test says.
  const insertProduct = async (sku: string, name: string, brand: string, popularity: number) => {
    const [{ id: categoryId }] = await sql<{ id: number }>(`SELECT id FROM categories ORDER BY depth DESC, id LIMIT 1`);
    await sql(`INSERT INTO products (sku, name, description, brand, price, stock, popularity, attributes, category_id, updated_at)
               VALUES ($1, $2, '', $3, 10, 1, $4, '{}', $5, now())`, [sku, name, brand, popularity, categoryId]);
  };

  it("ranks whole words before prefix-only matches of the last word, however popular", async () => {
    // "car" typed is also the prefix of 'card' (gift cards): a car mount must still lead.
    const insert = (sku: string, name: string, popularity: number) => insertProduct(sku, name, "Acme", popularity);
    await insert("WHOLE-PREFIX", "Zorbets gift pack", 1_000_000);
    await insert("WHOLE-WORD", "Zorb dashboard mount", 10);
    await insert("WHOLE-PLURAL", "Zorbs holder", 5);
    const result = await gqlData(url, `{ search(query: "zorb", mode: TEXT) { hits { product { sku } } } }`);
    // The plural is the word too; the prefix-only match comes last although far more popular.
    expect(result.search.hits.map((hit: any) => hit.product.sku)).toEqual(["WHOLE-WORD", "WHOLE-PLURAL", "WHOLE-PREFIX"]);
  });

  it("ranks the words as typed before other words of the same English stem", async () => {
    // 'international' and 'internal' both stem to 'intern': each query lists its own word first.
    const insert = (sku: string, name: string, popularity: number) => insertProduct(sku, name, "Quixo", popularity);
    await insert("STEM-INTERNATIONAL", "Quixo International Travel Adapter", 10);
    await insert("STEM-INTERNAL", "Quixo Internal Drive", 1_000_000);
    await insert("STEM-INTERN", "Quixo Intern Badge", 500_000);
    const skus = async (q: string) => (await gqlData(url, `query($q: String!) { search(query: $q, mode: TEXT) { hits { product { sku } } } }`, { q })).search.hits.map((hit: any) => hit.product.sku);
    expect(await skus("quixo international")).toEqual(["STEM-INTERNATIONAL", "STEM-INTERNAL", "STEM-INTERN"]);
    expect((await skus("quixo internal"))[0]).toBe("STEM-INTERNAL");
    expect((await skus("quixo intern"))[0]).toBe("STEM-INTERN");
    // A quoted phrase is exact too.
    expect((await skus('"quixo international"'))[0]).toBe("STEM-INTERNATIONAL");
  });

  it("matches singular and plural alike", async () => {
    const [{ noun }] = await sql<{ noun: string }>(
      `SELECT lower(word) AS noun FROM ts_stat('SELECT to_tsvector(''simple'', name) FROM products') WHERE word ~ '^[a-z]{4,}s$' ORDER BY ndoc DESC, word LIMIT 1`,
    );
    const plural = await search(noun, 1);
    const singular = await search(noun.slice(0, -1), 1);
    expect(plural.totalCount).toBeGreaterThan(0);
    expect(singular.totalCount).toBeGreaterThanOrEqual(plural.totalCount);
  });
});
