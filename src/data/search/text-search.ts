import type { PrismaClient } from "../../generated/prisma/client";
import { priceRangeSql, type FacetRow } from "./facets";
import { SqlParams, scopeWhere } from "./filter-sql";
import type { TextQueryPlan } from "./text-query";
import type { SearchScope } from "./vector-index";

/** What one search statement answers: the text ranking, and the total and facets over every match. */
export interface MatchSummary {
  /** Text (and SKU) matches, best first: an exact SKU match scores 1, others ts_rank/(1 + ts_rank). */
  ranked: { id: number; score: number }[];
  /** Every match: text matches, the SKU match and `vectorIds` in scope, without duplicates. */
  totalCount: number;
  /** Products whose SKU is the query (ranked first). */
  skuIds: number[];
  /** The `vectorIds` that exist and are in scope (a Qdrant payload may lag behind a write). */
  vectorIdsInScope: Set<number>;
  /** The top `facetValues` values of each facet by count (every price range), unordered. */
  facetRows: FacetRow[];
}

export interface MatchRequest {
  /** Null: no text side (VECTOR mode); the matches are `vectorIds`. */
  text: TextQueryPlan | null;
  /** Words and phrases no match may contain, vector neighbours included (the query's `-exclusions`). */
  exclusions: string | null;
  /** Vector neighbours, already filtered, counted as matches too (HYBRID, VECTOR). */
  vectorIds: readonly number[];
  scope: SearchScope;
  /** Most text matches to rank (the rest are counted only). */
  limit: number;
  /** Most values per facet (price ranges are all kept). */
  facetValues: number;
}

// The weights of ts_rank for labels D, C, B, A: description (D) 0.1, brand (B) 0.4, name (A) 1.
const RANK_WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'";

/**
 * One SQL statement (one round trip, counted like every Prisma query) that ranks the text matches
 * and counts the total and the facets over all matches. `websearch_to_tsquery` reads quoted phrases,
 * `-exclusions` and `or`; the last word, when still being typed, is turned into a prefix (`'samsu':*`)
 * unless it is a stop word; a SKU-looking query also matches `lower(sku)` exactly.
 */
export async function summarizeMatches(prisma: PrismaClient, request: MatchRequest): Promise<MatchSummary> {
  const params = new SqlParams();
  const scope = scopeWhere(request.scope, params);
  const vectorIds = params.add([...request.vectorIds], "int[]");
  let query = "SELECT NULL::tsquery AS query";
  let matched = `p.id = ANY(${vectorIds})`;
  if (request.exclusions) {
    matched = `(${matched} AND NOT p.search_vector @@ websearch_to_tsquery('english', ${params.add(request.exclusions, "text")}))`;
  }
  let skuHit = "false";
  if (request.text) {
    const text = params.add(request.text.query, "text");
    const word = params.add(request.text.prefixWord, "text");
    const sku = params.add(request.text.sku, "text");
    query = `SELECT CASE WHEN ${word} IS NOT NULL AND numnode(plainto_tsquery('english', ${word})) > 0
                         THEN regexp_replace(websearch_to_tsquery('english', ${text})::text, '''$', ''':*')::tsquery
                         ELSE websearch_to_tsquery('english', ${text}) END AS query`;
    // Plain comparisons in WHERE, so the planner can OR the GIN, lower(sku) and primary key indexes.
    skuHit = `coalesce(lower(p.sku) = ${sku}, false)`;
    matched = `(p.search_vector @@ q.query OR lower(p.sku) = ${sku} OR ${matched})`;
  }
  const limit = params.add(request.limit, "int");
  const facetValues = params.add(request.facetValues, "int");
  const rows = await prisma.$queryRawUnsafe<{ ranked: string | null; total: number; facets: string | null; sku: string | null; vector: string | null }[]>(
    `WITH q AS (${query}),
     m AS MATERIALIZED (
       SELECT p.id, p.brand, p.price, p.category_id, ${skuHit} AS sku_hit,
              coalesce(p.search_vector @@ q.query, false) AS text_hit,
              coalesce(ts_rank(${RANK_WEIGHTS}, p.search_vector, q.query, 32), 0) AS rank
         FROM products p CROSS JOIN q
        WHERE ${matched} AND ${scope}),
     ranked AS (
       SELECT id, CASE WHEN sku_hit THEN 1 ELSE rank END::float8 AS score
         FROM m WHERE sku_hit OR text_hit
        ORDER BY sku_hit DESC, rank DESC, id LIMIT ${limit}),
     facet_rows AS (
       SELECT 'category' AS field, split_part(c.path, '/', 2) AS value, count(*)::int AS count
         FROM m JOIN categories c ON c.id = m.category_id GROUP BY 2
       UNION ALL SELECT 'leafCategory', m.category_id::text, count(*)::int FROM m GROUP BY 2
       UNION ALL SELECT 'brand', m.brand, count(*)::int FROM m GROUP BY 2
       UNION ALL SELECT 'price', ${priceRangeSql("m.price")}, count(*)::int FROM m GROUP BY 2),
     top_facets AS (
       SELECT field, value, count,
              row_number() OVER (PARTITION BY field ORDER BY count DESC, value) AS position
         FROM facet_rows)
     SELECT (SELECT json_agg(json_build_array(id, score) ORDER BY score DESC, id)::text FROM ranked) AS ranked,
            (SELECT count(*)::int FROM m) AS total,
            (SELECT json_agg(id ORDER BY id)::text FROM m WHERE sku_hit) AS sku,
            (SELECT json_agg(id ORDER BY id)::text FROM m WHERE id = ANY(${vectorIds})) AS vector,
            (SELECT json_agg(json_build_array(field, value, count))::text FROM top_facets
              WHERE position <= ${facetValues} OR field = 'price') AS facets`,
    ...params.values,
  );
  const [row] = rows;
  const ranked = (JSON.parse(row.ranked ?? "[]") as [number, number][]).map(([id, score]) => ({ id, score }));
  return {
    ranked,
    totalCount: Number(row.total),
    skuIds: JSON.parse(row.sku ?? "[]") as number[],
    vectorIdsInScope: new Set(JSON.parse(row.vector ?? "[]") as number[]),
    facetRows: (JSON.parse(row.facets ?? "[]") as [string, string, number][]).map(([field, value, count]) => ({ field, value, count })),
  };
}
