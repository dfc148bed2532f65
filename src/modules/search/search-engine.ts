import type { FacetResult } from "../../data/search/facets";
import type { Synonyms } from "../../data/search/synonyms";
import { summarizeMatches, type MatchSummary } from "../../data/search/text-search";
import { planTextQuery } from "../../data/search/text-query";
import type { VectorSide } from "../../data/search/vector-side";
import type { PrismaClient } from "../../generated/prisma/client";
import type { SearchEngine, SearchEngineOptions, SearchEntry, SearchNotice, SearchRequest } from "../../loaders/search-deps";
import { matchGracefully } from "./graceful-match";
import { categoryIntent, INTENT_HITS, preferIntent, type CategoryIntent } from "./ranking/category-intent";
import { orderFacets } from "./ranking/facet-order";
import { hybridHits } from "./ranking/hybrid-hits";

/**
 * Runs searches: the vector side first (its neighbours, filtered in the index), then the text side
 * (one SQL statement for the text ranking, the total and the facets over text matches and
 * neighbours together, relaxed step by step when it matches nothing: see `matchGracefully`), then
 * the ranking of the mode (see `hybridHits`) and the category intent (see `categoryIntent`). An
 * exact SKU match always comes first (score 1). When the vector side is unavailable, VECTOR throws
 * `VectorIndexUnavailableError` and HYBRID answers from text with a notice. A query matching more
 * than `options.candidateLimit` products ranks and counts a shortlist (notice CANDIDATES_LIMITED,
 * `totalIsLowerBound`). `synonyms` rewrite the
 * query (never the documents); their version is part of every search cache key.
 */
export function createSearchEngine(prisma: PrismaClient, vector: VectorSide, options: SearchEngineOptions, synonyms: Synonyms): SearchEngine {
  async function run(request: SearchRequest): Promise<SearchEntry> {
    const { mode, scope } = request;
    const useVectors = mode === "VECTOR" || (mode === "HYBRID" && vector.reason(request.vector) === null);
    const plan = planTextQuery(request.query, synonyms);
    // A query of exclusions only ("-case") has nothing to look for on the vector side.
    const neighbours = useVectors && plan.vectorText ? await vector.neighbours(plan.vectorText, scope, options.vectorCandidates, options.vectorMinScore) : [];
    const base = { exclusions: plan.exclusions, vectorIds: neighbours.map((hit) => hit.id), scope, limit: options.maxResults, facetValues: options.facetValues, popularityWeight: options.popularityWeight, candidateLimit: options.candidateLimit };
    const { summary, notices } = mode === "VECTOR" ? { summary: await summarizeMatches(prisma, { ...base, text: null }), notices: [] } : await matchGracefully(prisma, plan, base);
    const inScope = neighbours.filter((hit) => summary.vectorIdsInScope.has(hit.id));
    const textIds = summary.ranked.map((hit) => hit.id);
    const answer = (answeredAs: SearchEntry["mode"], hits: [number, number][], more: SearchNotice[] = []): SearchEntry => {
      const strong = (textIds.length ? textIds.filter((id) => !summary.skuIds.includes(id)) : inScope.map((hit) => hit.id)).slice(0, INTENT_HITS);
      const limited = summary.bounded ? [candidatesNotice(request.query, options.candidateLimit, summary.totalCount)] : [];
      const entry: SearchEntry = {
        mode: answeredAs,
        hits,
        totalCount: summary.totalCount,
        totalIsLowerBound: summary.bounded,
        facets: orderFacets(summary.facetRows),
        notices: [...more, ...notices, ...limited],
        categoryIntent: null,
      };
      // Only HYBRID has neighbours that full text did not match: with an intent, they must sit inside it.
      return withIntent(summary, strong, entry, answeredAs === "HYBRID" ? new Set(textIds) : null);
    };
    switch (mode) {
      case "TEXT":
        return answer(mode, summary.ranked.map((hit) => [hit.id, hit.score]));
      case "VECTOR":
        return answer(mode, inScope.map((hit) => [hit.id, hit.score]));
      case "HYBRID": {
        if (!useVectors) {
          const message = `HYBRID search was answered from full text only: ${vector.reason(request.vector)}`;
          return answer("TEXT", summary.ranked.map((hit) => [hit.id, hit.score]), [{ code: "VECTOR_SEARCH_UNAVAILABLE", message }]);
        }
        const sides = { skuIds: summary.skuIds, text: textIds, vector: inScope.map((hit) => hit.id) };
        return answer(mode, hybridHits(sides, options));
      }
      default: {
        const never: never = mode;
        throw new Error(`Unknown search mode ${String(never)}`);
      }
    }
  }

  return { run, vector, options, version: synonyms.version };
}

// What a client shows when the text side ranked a shortlist (see `summarizeMatches`).
function candidatesNotice(query: string, limit: number | null, candidates: number): SearchNotice {
  const message =
    `More than ${limit} products match "${query}": the best of ${candidates} candidates are ranked (every word in the name first, ` +
    `the best sellers, the first found), and totalCount and the facets count those only (at least that many match)`;
  return { code: "CANDIDATES_LIMITED", message };
}

// The entry with its category intent: hits outside the intent's subtree demoted and the facet values
// inside it marked (the resolver reports it in `extensions.categoryIntents`). With `textIds` (HYBRID),
// a hit outside the intent that only the vector side found is dropped from the ranking: the strong
// hits agree on a category, and a lexical neighbour elsewhere ("boost mobile" -> a Boost Mobile
// airtime card, when the query finds nine Boost Mobile phones) would otherwise fill the page.
// totalCount and facets still count it: they count matches, the ranking is what the page shows.
function withIntent(summary: MatchSummary, strong: readonly number[], entry: SearchEntry, textIds: ReadonlySet<number> | null): SearchEntry {
  const categoryOf = new Map<number, number>([...summary.vectorIdsInScope, ...summary.ranked.map((hit): [number, number] => [hit.id, hit.categoryId])]);
  const pathOf = (id: number) => summary.categoryPaths.get(categoryOf.get(id) ?? -1) ?? [];
  const intent: CategoryIntent | null = categoryIntent(strong.map(pathOf));
  if (!intent) return entry;
  const intentPath = summary.categoryPaths.get(intent.categoryId) ?? [intent.categoryId];
  const marked = (facet: FacetResult): FacetResult => ({
    ...facet,
    values: facet.values.map((value) => {
      const inIntent =
        facet.field === "category" ? Number(value.value) === intentPath[0] : facet.field === "leafCategory" && (summary.categoryPaths.get(Number(value.value)) ?? []).includes(intent.categoryId);
      return inIntent ? { ...value, intent: true } : value;
    }),
  });
  const inIntent = (id: number) => pathOf(id).includes(intent.categoryId);
  const kept = textIds ? entry.hits.filter(([id, score]) => score >= 1 || textIds.has(id) || inIntent(id)) : entry.hits;
  return {
    ...entry,
    hits: preferIntent(kept, inIntent),
    facets: entry.facets.map(marked),
    categoryIntent: intent,
  };
}
