import type { PrismaClient } from "../../generated/prisma/client";
import type { FacetResult } from "./facets";
import { reciprocalRankFusion } from "./rrf";
import { summarizeMatches } from "./text-search";
import { planTextQuery } from "./text-query";
import type { SearchScope } from "./vector-index";
import type { VectorSide, VectorState } from "./vector-side";

/** HYBRID fuses full text and vectors; TEXT and VECTOR use one side. */
export type SearchMode = "HYBRID" | "TEXT" | "VECTOR";

/** One search, normalized (see `normalizeQuery` and `parseFilter`), without its page. */
export interface SearchRequest {
  query: string;
  mode: SearchMode;
  scope: SearchScope;
  /**
   * The vector side's state when the request was keyed (part of the cache key): the answer is
   * computed for that state, so a text-only fallback is never cached as a hybrid answer.
   */
  vector: VectorState;
}

/** A note on how a search was answered, for `extensions.notices` and `SearchResult.notices`. */
export interface SearchNotice {
  code: "VECTOR_SEARCH_UNAVAILABLE";
  message: string;
}

/**
 * What a search caches under `search:<hash>`: the ranked window as [id, score] pairs (best first;
 * ties by id), the total and the facets over every match, the mode that answered, and notices.
 * Pages are slices of `hits`, so every page of one search comes from one ranking.
 */
export interface SearchEntry {
  mode: SearchMode;
  hits: [number, number][];
  totalCount: number;
  facets: FacetResult[];
  notices: SearchNotice[];
}

export interface SearchEngineOptions {
  /** k of reciprocal rank fusion. */
  rrfK: number;
  /** Hits kept per search (the window pages walk). */
  maxResults: number;
  /** Neighbours the vector side contributes. */
  vectorCandidates: number;
  /** Least cosine similarity of a neighbour. */
  vectorMinScore: number;
  /** Most values per facet. */
  facetValues: number;
}

export type SearchEngine = ReturnType<typeof createSearchEngine>;

/**
 * Runs searches: the vector side first (its neighbours, filtered in the index), then one SQL
 * statement for the text ranking, the total and the facets over text matches and neighbours
 * together, then fusion. An exact SKU match always comes first (score 1). When the vector side is
 * unavailable, VECTOR throws `VectorIndexUnavailableError` and HYBRID answers from text with a notice.
 */
export function createSearchEngine(prisma: PrismaClient, vector: VectorSide, options: SearchEngineOptions) {
  async function run(request: SearchRequest): Promise<SearchEntry> {
    const { mode, scope } = request;
    const useVectors = mode === "VECTOR" || (mode === "HYBRID" && vector.reason(request.vector) === null);
    const plan = planTextQuery(request.query);
    // A query of exclusions only ("-case") has nothing to look for on the vector side.
    const neighbours = useVectors && plan.vectorText ? await vector.neighbours(plan.vectorText, scope, options.vectorCandidates, options.vectorMinScore) : [];
    const summary = await summarizeMatches(prisma, {
      text: mode === "VECTOR" ? null : plan,
      exclusions: plan.exclusions,
      vectorIds: neighbours.map((hit) => hit.id),
      scope,
      limit: options.maxResults,
      facetValues: options.facetValues,
    });
    const inScope = neighbours.filter((hit) => summary.vectorIdsInScope.has(hit.id));
    const base = { totalCount: summary.totalCount, facets: summary.facets };
    switch (mode) {
      case "TEXT":
        return { ...base, mode, hits: summary.ranked.map((hit) => [hit.id, hit.score]), notices: [] };
      case "VECTOR":
        return { ...base, mode, hits: inScope.map((hit) => [hit.id, hit.score]), notices: [] };
      case "HYBRID": {
        if (!useVectors) {
          const message = `HYBRID search was answered from full text only: ${vector.reason(request.vector)}`;
          return { ...base, mode: "TEXT", hits: summary.ranked.map((hit) => [hit.id, hit.score]), notices: [{ code: "VECTOR_SEARCH_UNAVAILABLE", message }] };
        }
        const sku = new Set(summary.skuIds);
        const fused = reciprocalRankFusion([summary.ranked.map((hit) => hit.id), inScope.map((hit) => hit.id)], options.rrfK);
        const hits: [number, number][] = [
          ...summary.skuIds.map((id): [number, number] => [id, 1]),
          ...fused.filter((hit) => !sku.has(hit.id)).map((hit): [number, number] => [hit.id, hit.score]),
        ];
        return { ...base, mode, hits: hits.slice(0, options.maxResults), notices: [] };
      }
      default: {
        const never: never = mode;
        throw new Error(`Unknown search mode ${String(never)}`);
      }
    }
  }

  return { run, vector, options };
}
