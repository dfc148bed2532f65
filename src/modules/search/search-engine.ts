import { summarizeMatches } from "../../data/search/text-search";
import { planTextQuery } from "../../data/search/text-query";
import type { VectorSide } from "../../data/search/vector-side";
import type { PrismaClient } from "../../generated/prisma/client";
import type { SearchEngine, SearchEngineOptions, SearchEntry, SearchRequest } from "../../loaders/search-deps";
import { orderFacets } from "./ranking/facet-order";
import { hybridHits } from "./ranking/hybrid-hits";

/**
 * Runs searches: the vector side first (its neighbours, filtered in the index), then one SQL
 * statement for the text ranking, the total and the facets over text matches and neighbours
 * together, then the ranking of the mode (see `hybridHits`). An exact SKU match always comes first
 * (score 1). When the vector side is unavailable, VECTOR throws `VectorIndexUnavailableError` and
 * HYBRID answers from text with a notice.
 */
export function createSearchEngine(prisma: PrismaClient, vector: VectorSide, options: SearchEngineOptions): SearchEngine {
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
    const base = { totalCount: summary.totalCount, facets: orderFacets(summary.facetRows) };
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
        const sides = { skuIds: summary.skuIds, text: summary.ranked.map((hit) => hit.id), vector: inScope.map((hit) => hit.id) };
        return { ...base, mode, hits: hybridHits(sides, options), notices: [] };
      }
      default: {
        const never: never = mode;
        throw new Error(`Unknown search mode ${String(never)}`);
      }
    }
  }

  return { run, vector, options };
}
