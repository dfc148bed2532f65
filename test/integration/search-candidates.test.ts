import type { Database } from "../../src/data/database";
import { summarizeMatches, type MatchRequest } from "../../src/data/search/text-search";
import { planTextQuery } from "../../src/data/search/text-query";
import { gql } from "../helpers/gateway";
import { useGateway } from "../helpers/use-gateway";

// The bounded candidate set (SEARCH_CANDIDATE_LIMIT): a query matching more products than the limit
// ranks and counts a shortlist and says so; one matching fewer answers exactly as with no limit.
// The same statement is run with and without a limit on one generated catalog in PostgreSQL.
const LIMIT = 60;

describe("search candidates (generated catalog, PostgreSQL)", () => {
  let db: Database;
  const sql = <T = Record<string, any>>(text: string, params: unknown[] = []) => db.sql.query<T>(text, params);
  const fixture = useGateway({
    label: "search_candidates",
    catalog: { products: 1500, categories: 60 },
    env: { CACHE_STORE: "memory", SEARCH_SYNONYMS_FILE: "", SEARCH_CANDIDATE_LIMIT: String(LIMIT) },
  });
  beforeAll(() => {
    db = fixture.db;
  });

  const summarize = (query: string, candidateLimit: number | null, filter: MatchRequest["scope"]["filter"] = {}) => {
    const plan = planTextQuery(query);
    const request: MatchRequest = {
      text: { groups: plan.groups, prefixWord: plan.prefixWord, sku: plan.sku, match: "all", dictionary: "english" },
      exclusions: null,
      vectorIds: [],
      scope: { categoryId: null, filter },
      limit: 1000,
      facetValues: 50,
      candidateLimit,
    };
    return summarizeMatches(fixture.db.prisma, request);
  };
  // A word of the names, as a whole word, and how many products have it anywhere in their documents.
  const nameWords = () =>
    sql<{ word: string; n: number }>(
      `SELECT w.word, (SELECT count(*) FROM products p WHERE p.search_vector @@ to_tsquery('english', w.word || ':*'))::int AS n
         FROM (SELECT DISTINCT lower(word) AS word FROM products, regexp_split_to_table(name, '[^A-Za-z]+') AS word WHERE length(word) >= 4) w
        ORDER BY n DESC, w.word`,
    );

  it("answers a query with no more matches than the limit exactly as without one", async () => {
    const words = await nameWords();
    const few = words.find((row) => row.n > 5 && row.n <= LIMIT)!;
    expect(few).toBeDefined();
    const [bounded, every] = await Promise.all([summarize(few.word, LIMIT), summarize(few.word, null)]);
    expect(bounded.bounded).toBe(false);
    expect(bounded.totalCount).toBe(few.n);
    expect({ ...bounded, categoryPaths: [...bounded.categoryPaths] }).toEqual({ ...every, categoryPaths: [...every.categoryPaths] });
  });

  it("ranks a shortlist of a common word's matches, its best tier and best sellers first, and counts it as a lower bound", async () => {
    // The most popular product's most common name word: it matches far more products than the limit.
    const [top] = await sql<{ id: number; name: string }>(`SELECT id, name FROM products ORDER BY popularity DESC, id LIMIT 1`);
    const words = await nameWords();
    const common = words.find((row) => new RegExp(`\\b${row.word}\\b`, "i").test(top.name) && row.n > 3 * LIMIT)!;
    expect(common).toBeDefined();
    const [bounded, every] = await Promise.all([summarize(common.word, LIMIT), summarize(common.word, null)]);
    expect(every.bounded).toBe(false);
    expect(every.totalCount).toBe(common.n);
    expect(bounded.bounded).toBe(true);
    // A lower bound: the candidates read (more than the limit), every one a match.
    expect(bounded.totalCount).toBeGreaterThan(LIMIT);
    expect(bounded.totalCount).toBeLessThan(every.totalCount);
    const matches = new Set(every.ranked.map((hit) => hit.id));
    expect(bounded.ranked.every((hit) => matches.has(hit.id))).toBe(true);
    expect(bounded.ranked).toHaveLength(bounded.totalCount);
    // The facets count the same candidates.
    const prices = bounded.facetRows.filter((row) => row.field === "price").reduce((sum, row) => sum + row.count, 0);
    expect(prices).toBe(bounded.totalCount);
    // The best seller whose name has the word leads both rankings.
    expect(bounded.ranked[0].id).toBe(top.id);
    expect(every.ranked[0].id).toBe(top.id);
    // The shortlist holds enough top-tier matches (score at least 7/8: every term in the name, as typed) for the first page.
    const topTier = (ranked: { score: number }[]) => ranked.filter((hit) => hit.score >= 7 / 8).length;
    expect(topTier(every.ranked)).toBeGreaterThan(20);
    expect(topTier(bounded.ranked.slice(0, 20))).toBe(20);
    // Scores are those of the exact ranking, for the products both rank.
    const exact = new Map(every.ranked.map((hit) => [hit.id, hit.score]));
    for (const hit of bounded.ranked) expect(hit.score).toBeCloseTo(exact.get(hit.id)!, 12);
  });

  it("keeps every candidate source inside the search's filters", async () => {
    const [{ word }] = await nameWords();
    const [{ median }] = await sql<{ median: number }>(`SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY price)::float8 AS median FROM products`);
    const filter = { minPrice: String(median) };
    const [bounded, every] = await Promise.all([summarize(word, LIMIT, filter), summarize(word, null, filter)]);
    expect(bounded.bounded).toBe(true);
    expect(every.totalCount).toBeGreaterThan(bounded.totalCount);
    const ids = bounded.ranked.map((hit) => hit.id);
    const [row] = await sql<{ outside: number; unmatched: number }>(
      `SELECT count(*) FILTER (WHERE price < $2)::int AS outside, count(*) FILTER (WHERE NOT search_vector @@ to_tsquery('english', $3 || ':*'))::int AS unmatched
         FROM products WHERE id = ANY($1)`,
      [ids, median, word],
    );
    expect(row).toEqual({ outside: 0, unmatched: 0 });
  });

  it("says so over HTTP: totalIsLowerBound and the CANDIDATES_LIMITED notice, in the result and in extensions", async () => {
    const [{ word }] = await nameWords();
    const query = `query($q: String!) { search(query: $q, mode: TEXT, first: 5) { totalCount totalIsLowerBound notices { code message } } }`;
    const response = await gql(fixture.url, query, { q: word });
    expect(response.errors).toBeUndefined();
    const search = response.data!.search;
    expect(search.totalIsLowerBound).toBe(true);
    expect(search.notices.map((notice: { code: string }) => notice.code)).toEqual(["CANDIDATES_LIMITED"]);
    expect(search.notices[0].message).toContain(`More than ${LIMIT} products match "${word}"`);
    expect(response.extensions?.notices).toEqual([{ ...search.notices[0], path: ["search"] }]);

    const rare = await gql(fixture.url, query, { q: "zyxwvut" });
    expect(rare.data!.search).toEqual({ totalCount: 0, totalIsLowerBound: false, notices: [] });
  });
});
