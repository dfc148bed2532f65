import type { PrismaClient } from "../../generated/prisma/client";
import { priceRangeSql, type FacetRow } from "./facets";
import { SqlParams, scopeWhere } from "./filter-sql";
import { exactForms, type TermGroup } from "./text-query";
import type { SearchScope } from "./vector-index";

/** What one search statement answers: the text ranking, and the total and facets over every match. */
export interface MatchSummary {
  /** Text (and SKU) matches, best first: an exact SKU match scores 1, others below 1 (see `TextMatch.match`). */
  ranked: { id: number; score: number; categoryId: number }[];
  /** Every match: text matches, the SKU match and `vectorIds` in scope, without duplicates. */
  totalCount: number;
  /** Products whose SKU is the query (ranked first). */
  skuIds: number[];
  /** The `vectorIds` that exist and are in scope (a Qdrant payload may lag behind a write), with their category. */
  vectorIdsInScope: Map<number, number>;
  /** The top `facetValues` values of each facet by count (every price range), unordered. */
  facetRows: FacetRow[];
  /** The category paths (ids, root first) of the ranked hits', the neighbours' and the leafCategory facet's categories. */
  categoryPaths: Map<number, number[]>;
  /** Lexemes in the text query: 0 when every term was a stop word of the dictionary (or there was no text). */
  lexemes: number;
  /**
   * True when the text query matched more than `MatchRequest.candidateLimit` products: `ranked`,
   * `totalCount` and `facetRows` are then over the candidates read (see `summarizeMatches`), so the
   * total and every facet count are lower bounds.
   */
  bounded: boolean;
}

/** The text side of a search. */
export interface TextMatch {
  /** The terms, each a group of alternatives (see `planTextQuery`). */
  groups: readonly TermGroup[];
  /** The last word, matched as a prefix when it is the last group's word. */
  prefixWord: string | null;
  /** The query as a SKU, matched exactly. */
  sku: string | null;
  /**
   * "all": a match has every group, scored ts_rank/(1 + ts_rank). "most": a match has any group,
   * ranked by how many it has, then by ts_rank: score (groups matched - 1 + ts_rank/(1 + ts_rank)) / groups.
   */
  match: "all" | "most";
  /**
   * "english": the weighted, stemmed document (name, brand, category path, description).
   * "simple": brand and name word for word, stop words kept: what a query of stop words only searches.
   */
  dictionary: "english" | "simple";
}

export interface MatchRequest {
  /** Null: no text side (VECTOR mode); the matches are `vectorIds`. */
  text: TextMatch | null;
  /** Words and phrases no match may contain, vector neighbours included (the query's `-exclusions`). */
  exclusions: string | null;
  /** Vector neighbours, already filtered, counted as matches too (HYBRID, VECTOR). */
  vectorIds: readonly number[];
  scope: SearchScope;
  /** Most text matches to rank (the rest are counted only). */
  limit: number;
  /** Most values per facet (price ranges are all kept). */
  facetValues: number;
  /** Share of a text match's within-tier score that is popularity, 0..1 (see `FIELD_TIERS`). Default `DEFAULT_POPULARITY_WEIGHT`. */
  popularityWeight?: number;
  /** Most text matches read, ranked and counted (see `summarizeMatches`); null or absent: every match. */
  candidateLimit?: number | null;
}

// The weights of ts_rank for labels D, C, B, A: description (D) 0.1, category path (C) 0.3, brand
// (B) 0.4, name (A) 1. The category path weighs more than the description, so a phone in
// "Unlocked Cell Phones" outranks a case whose description says "unlocked".
const RANK_WEIGHTS = "'{0.1, 0.3, 0.4, 1.0}'";
/**
 * A text match's score below 1 (an exact SKU is 1), as a store's engine ranks (Algolia's tie-breaking:
 * the attribute a match needs, exactness, then the custom ranking): first the field tier, the fewest
 * fields that hold the whole query, name (3), name and brand (2), those and the category path (1),
 * or the description too (0); within a tier, the exact matches first: every term in the name or brand
 * as typed, whole words, a regular plural or singular allowed (see `exactForms`), not only its
 * English stem or a prefix, so "car" lists a car mount before gift cards ('car':* matches 'card')
 * and "international" an international adapter before an internal drive (both stem to 'intern');
 * then ts_rank and popularity blended by the popularity weight (`MatchRequest.popularityWeight`). So
 * "iphone 7" lists iPhones (the words in their names, more popular) before cases with the same words
 * in their names, and both before products that mention the words only in their descriptions.
 */
export const FIELD_TIERS = 4;
/** Share of the within-tier score that is popularity (the rest is ts_rank/(1 + ts_rank)) unless a request sets it (SEARCH_POPULARITY_WEIGHT). */
export const DEFAULT_POPULARITY_WEIGHT = 0.7;
// Groups a relaxed ("most") match counts; further terms still match, they are not counted.
const MAX_COUNTED_GROUPS = 12;

/**
 * One SQL statement (one round trip, counted like every Prisma query) that ranks the text matches
 * and counts the total and the facets over all matches. Each term group is one tsquery (its
 * alternatives OR-ed, each a phrase); the groups are AND-ed, or OR-ed and counted (`match`). The
 * last word, when still being typed, is a prefix (`'samsu':*`) unless it is a stop word; a
 * SKU-looking query also matches `lower(sku)` exactly.
 */
export async function summarizeMatches(prisma: PrismaClient, request: MatchRequest): Promise<MatchSummary> {
  const params = new SqlParams();
  const scope = scopeWhere(request.scope, params);
  const vectorIds = params.add([...request.vectorIds], "int[]");
  let query = "SELECT NULL::tsquery AS query";
  let matched = `p.id = ANY(${vectorIds})`;
  let skuHit = "false";
  let textHit = "false";
  let rank = "0";
  // A first cut of the matches, cheap to find, when there are too many to read (see `candidateSources`).
  let best: CandidateSource[] = [];
  let few = "false";
  const text = request.text;
  if (text && text.groups.length > 0) {
    const dictionary = `'${text.dictionary}'::regconfig`;
    const document = text.dictionary === "english" ? "p.search_vector" : "p.suggest_vector";
    const groups = text.groups.map((group, i) => groupQuery(group, i === text.groups.length - 1 && group.word !== null && group.word === text.prefixWord, dictionary, params));
    const columns = groups.map((sql, i) => `${sql} AS g${i}`).join(", ");
    const join = text.match === "all" ? " && " : " || ";
    const combined = groups.map((_, i) => `g${i}`).join(join);
    // A stop-word term (an empty g) asks nothing of the exact match either (an empty tsquery joins as nothing).
    const exact = text.groups.map((group, i) => `CASE WHEN numnode(g${i}) = 0 THEN g${i} ELSE ${exactQuery(group, params)} END`).join(join);
    // The catalog's highest popularity (one read of the popularity index), to bring popularity to 0..1.
    const tierQueries = TIER_LABELS.map((labels, i) => `${restrictWeights("query", labels)} AS tier${i}`).join(", ");
    // Relaxed: the products with two terms or more (any two groups), which rank above those with one.
    const pairs = text.match === "most" && groups.length <= MAX_PAIRED_GROUPS ? groups.flatMap((_, i) => groups.slice(i + 1).map((__, j) => `(g${i} && g${i + 1 + j})`)) : [];
    const paired = pairs.length ? `${pairs.join(" || ")} AS pairs, ` : "";
    query = `SELECT *, ${tierQueries} FROM (SELECT *, ${combined} AS query, ${exact} AS exact, ${paired}(SELECT greatest(max(popularity), 1)::float8 FROM products) AS max_popularity FROM (SELECT ${columns}) g) w`;
    const sku = params.add(text.sku, "text");
    // Plain comparisons in WHERE, so the planner can OR the GIN, lower(sku) and primary key indexes.
    skuHit = `coalesce(lower(p.sku) = ${sku}, false)`;
    textHit = `coalesce(${document} @@ q.query, false)`;
    const tsRank = `coalesce(ts_rank(${RANK_WEIGHTS}, ${document}, q.query, 32), 0)`;
    const tier = TIER_LABELS.map((_, i) => `WHEN ${document} @@ q.tier${i} THEN ${FIELD_TIERS - 1 - i}`).join(" ");
    const popularity = `greatest(p.popularity, 0)::float8 / q.max_popularity`;
    const weight = params.add(request.popularityWeight ?? DEFAULT_POPULARITY_WEIGHT, "float8");
    // suggest_vector: brand and name word for word ('simple'); the "simple" dictionary's document is that already.
    const exactHit = text.dictionary === "english" ? `coalesce(p.suggest_vector @@ q.exact, false)::int` : "0";
    const score = `(2 * (CASE ${tier} ELSE 0 END) + ${exactHit} + (1 - ${weight}) * ${tsRank} + ${weight} * ${popularity}) / ${2 * FIELD_TIERS}`;
    if (text.match === "all") rank = score;
    else {
      const counted = groups.slice(0, MAX_COUNTED_GROUPS).map((_, i) => `coalesce(${document} @@ q.g${i}, false)::int`);
      rank = `(${counted.join(" + ")} - 1 + ${score}) / ${counted.length}`;
    }
    matched = `(${document} @@ q.query OR lower(p.sku) = ${sku} OR ${matched})`;
    few = `(lower(p.sku) = ${sku} OR p.id = ANY(${vectorIds}))`;
    // The best tier: every term in the name, and in the name or brand as typed (the "simple" document has no fields).
    if (text.dictionary === "english") {
      best = [{ indexed: "p.suggest_vector @@ q.exact", checked: "p.search_vector @@ q.tier0" }];
      if (pairs.length) best.unshift({ indexed: `${document} @@ q.pairs`, checked: "true" });
    }
  }
  if (request.exclusions) {
    matched = `(${matched} AND NOT coalesce(p.search_vector @@ websearch_to_tsquery('english', ${params.add(request.exclusions, "text")}), false))`;
  }
  const columns = `p.id, p.brand, ${priceRangeSql("p.price")} AS price_range, p.category_id, ${skuHit} AS sku_hit, ${textHit} AS text_hit, ${rank} AS rank`;
  const bound = text && text.groups.length > 0 && request.candidateLimit != null ? request.candidateLimit : null;
  const matches =
    bound === null
      ? { ctes: `\n     m AS MATERIALIZED (SELECT ${columns} FROM products p CROSS JOIN q WHERE ${matched} AND ${scope}),`, bounded: "false" }
      : candidateMatches({ columns, matched: `${matched} AND ${scope}`, scope, best, few, bound, params });
  const limit = params.add(request.limit, "int");
  const facetValues = params.add(request.facetValues, "int");
  const rows = await prisma.$queryRawUnsafe<
    { ranked: string | null; total: number; facets: string | null; sku: string | null; vector: string | null; paths: string | null; lexemes: number | null; bounded: boolean }[]
  >(
    `WITH q AS (${query}),${matches.ctes}
     ranked AS (
       SELECT id, category_id, CASE WHEN sku_hit THEN 1 ELSE rank END::float8 AS score
         FROM m WHERE sku_hit OR text_hit
        ORDER BY sku_hit DESC, rank DESC, id LIMIT ${limit}),
     -- One pass over the matches for every facet (the columns are NOT NULL, so a NULL says which set a row counts).
     counts AS (
       SELECT category_id, brand, price_range, count(*)::int AS count
         FROM m GROUP BY GROUPING SETS ((category_id), (brand), (price_range))),
     facet_rows AS (
       SELECT 'category' AS field, split_part(c.path, '/', 2) AS value, sum(k.count)::int AS count
         FROM counts k JOIN categories c ON c.id = k.category_id GROUP BY 2
       UNION ALL SELECT 'leafCategory', category_id::text, count FROM counts WHERE category_id IS NOT NULL
       UNION ALL SELECT 'brand', brand, count FROM counts WHERE brand IS NOT NULL
       UNION ALL SELECT 'price', price_range, count FROM counts WHERE price_range IS NOT NULL),
     top_facets AS (
       SELECT field, value, count,
              row_number() OVER (PARTITION BY field ORDER BY count DESC, value) AS position
         FROM facet_rows),
     -- The few matches the answer lists besides the ranking: SKU matches and vector neighbours.
     marked AS (SELECT id, category_id, sku_hit FROM m WHERE sku_hit OR id = ANY(${vectorIds})),
     seen AS (
       SELECT category_id FROM ranked
       UNION SELECT category_id FROM marked WHERE id = ANY(${vectorIds})
       UNION SELECT value::int FROM top_facets WHERE field = 'leafCategory' AND position <= ${facetValues})
     SELECT (SELECT json_agg(json_build_array(id, score, category_id) ORDER BY score DESC, id)::text FROM ranked) AS ranked,
            (SELECT coalesce(sum(count), 0)::int FROM counts WHERE price_range IS NOT NULL) AS total,
            (SELECT json_agg(id ORDER BY id)::text FROM marked WHERE sku_hit) AS sku,
            (SELECT json_agg(json_build_array(id, category_id) ORDER BY id)::text FROM marked WHERE id = ANY(${vectorIds})) AS vector,
            (SELECT json_agg(json_build_array(field, value, count))::text FROM top_facets
              WHERE position <= ${facetValues} OR field = 'price') AS facets,
            (SELECT json_agg(json_build_array(c.id, c.path))::text FROM categories c WHERE c.id IN (SELECT category_id FROM seen)) AS paths,
            (SELECT numnode(query) FROM q) AS lexemes,
            ${matches.bounded} AS bounded`,
    ...params.values,
  );
  const [row] = rows;
  const ranked = (JSON.parse(row.ranked ?? "[]") as [number, number, number][]).map(([id, score, categoryId]) => ({ id, score, categoryId }));
  return {
    ranked,
    totalCount: Number(row.total),
    skuIds: JSON.parse(row.sku ?? "[]") as number[],
    vectorIdsInScope: new Map(JSON.parse(row.vector ?? "[]") as [number, number][]),
    facetRows: (JSON.parse(row.facets ?? "[]") as [string, string, number][]).map(([field, value, count]) => ({ field, value, count })),
    categoryPaths: new Map((JSON.parse(row.paths ?? "[]") as [number, string][]).map(([id, path]) => [id, path.split("/").filter(Boolean).map(Number)])),
    lexemes: Number(row.lexemes ?? 0),
    bounded: row.bounded === true,
  };
}

/**
 * The CTEs that read a bounded statement's matches into `m` (its `columns`, ranked): a first scan of
 * any `bound` + 1 matches (in GIN order, so it stops early); when it finds no more than `bound`,
 * those are all the matches and the answer is exact. Otherwise only `bound` candidates of each
 * cheap source are read, so a common word ("smart": 28% of a catalog) costs what a few thousand
 * rows cost:
 * - that first scan's matches (the physical order of the table: for an insert-only table, the
 *   oldest products, as the ranking breaks ties by id);
 * - `best`: the top tier's matches (every term in the name, and in name or brand as typed), which
 *   rank above any other, from their own GIN scan; for a relaxed ("most") query, also the products
 *   with two of its terms or more, which rank above those with one;
 * - the matches among the catalog's `bound` / `POPULAR_SHARE` most popular products (a walk of the
 *   popularity index that stops after so many rows, matching or not): the best sellers a within-tier
 *   order lifts;
 * - the SKU match and the vector neighbours (`few`), which the answer lists whatever their rank.
 * They are ranked as every match would be; the total and the facets count them (lower bounds).
 * A pruned ranking: a top-tier match outside every source that ts_rank puts above those read is
 * missed (README, "Search and statistics", has what it changes on the evaluation set).
 */
function candidateMatches(parts: { columns: string; matched: string; scope: string; best: CandidateSource[]; few: string; bound: number; params: SqlParams }) {
  const { columns, matched, scope, best, few, bound, params } = parts;
  const probe = params.add(bound + 1, "int");
  const each = params.add(bound, "int");
  const over = `(SELECT count(*) FROM probe) > ${each}`;
  // Ids only: the statement is planned per request, and each copy of the ranked columns costs planning time.
  const sources = [
    // OFFSET 0 keeps the scan on the index of `indexed` (the exact words: no prefix to expand), `checked` on the rows read.
    ...best.map(({ indexed, checked }) => `(SELECT id FROM (SELECT p.* FROM products p CROSS JOIN q WHERE ${over} AND ${indexed} AND ${scope} OFFSET 0) p CROSS JOIN q WHERE ${checked} AND ${matched} LIMIT ${each})`),
    `SELECT p.id FROM (SELECT * FROM products ORDER BY popularity DESC, id LIMIT ${params.add(Math.ceil(bound / POPULAR_SHARE), "int")}) p CROSS JOIN q WHERE ${over} AND ${matched}`,
    `SELECT p.id FROM products p CROSS JOIN q WHERE ${over} AND ${few} AND ${matched}`,
  ];
  const ctes = `
     probe AS MATERIALIZED (SELECT ${columns} FROM products p CROSS JOIN q WHERE ${matched} LIMIT ${probe}),
     more AS MATERIALIZED (${sources.join("\n       UNION ")}),
     m AS MATERIALIZED (
       SELECT * FROM probe
       UNION ALL SELECT ${columns} FROM more c JOIN products p ON p.id = c.id CROSS JOIN q WHERE NOT EXISTS (SELECT 1 FROM probe WHERE probe.id = c.id)),`;
  return { ctes, bounded: `(${over})` };
}

/** A first cut of the matches: found through an index (`indexed`), kept when `checked` holds too. */
interface CandidateSource {
  indexed: string;
  checked: string;
}

// Relaxed queries of up to this many terms get the source of products with two of them (15 pairs at most).
const MAX_PAIRED_GROUPS = 6;

// The popular source walks bound / POPULAR_SHARE products: popularity is skewed (a few best sellers),
// so beyond the first few hundred it hardly moves a score.
const POPULAR_SHARE = 4;

// The fields of each tier above 0, best first, as tsquery weight labels: name (A), and brand (B), and
// category path (C).
const TIER_LABELS = ["A", "AB", "ABC"] as const;

// `query` (SQL of a tsquery) matched in the fields labelled `labels` only: every lexeme restricted to
// them ('smart':* -> 'smart':*AB), as `ts_filter(document, '{a,b}') @@ query` would be, but computed
// once per statement instead of filtering every matching document (a copy of its tsvector each).
// Positions are unique across fields, so a phrase matches within the fields as it does after ts_filter.
function restrictWeights(query: string, labels: string): string {
  const restricted = `regexp_replace((${query})::text, $re$('(?:[^']|'')*')(?::(\\*))?$re$, '\\1:\\2${labels}', 'g')::tsquery`;
  return `CASE WHEN numnode(${query}) = 0 THEN ${query} ELSE ${restricted} END`;
}

// One group's exact tsquery over suggest_vector (brand and name, 'simple'): each alternative as a
// phrase, its last word in its regular forms (see `exactForms`: "cell phones" is also "cell phone"),
// never as a prefix.
function exactQuery(group: TermGroup, params: SqlParams): string {
  const phrases = group.alternatives.flatMap((alternative) => {
    const [, head, last] = /^(.*?)(\S+)$/.exec(alternative) ?? [, "", alternative];
    return exactForms(last).map((form) => head + form);
  });
  const queries = [...new Set(phrases)].map((phrase) => `phraseto_tsquery('simple', ${params.add(phrase, "text")})`);
  return queries.length === 1 ? queries[0] : `(${queries.join(" || ")})`;
}

// One group's tsquery: its alternatives OR-ed, each a phrase; the first as a prefix when `prefix`
// (and it is not a stop word, which would make the prefix match everything).
function groupQuery(group: TermGroup, prefix: boolean, dictionary: string, params: SqlParams): string {
  const alternatives = group.alternatives.map((alternative, i) => {
    const term = params.add(alternative, "text");
    if (i > 0 || !prefix) return `phraseto_tsquery(${dictionary}, ${term})`;
    return `CASE WHEN numnode(plainto_tsquery(${dictionary}, ${term})) > 0 THEN to_tsquery(${dictionary}, ${term} || ':*') ELSE plainto_tsquery(${dictionary}, ${term}) END`;
  });
  return alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(" || ")})`;
}
