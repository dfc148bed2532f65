/**
 * Search: full text, vectors and their fusion, facets and autocomplete. Start here.
 *
 * In this folder (the feature):
 *   search.resolvers.ts   `search` and `autocomplete`: parse, load, page, place notices
 *   search-args.ts        argument parsing, the opaque cursor and paging over a ranked window
 *   search-notices.ts     notices per request, for the search-notices plugin
 *   search.service.ts     `ctx.services.search`: limits and the vector side's state
 *   search-engine.ts      one search: vector neighbours, one SQL statement, then the ranking
 *   ranking/              pure ranking: reciprocal rank fusion, the HYBRID order, facet order
 * Below it:
 *   src/loaders/search-deps.ts   the engine's port (SearchEngine, SearchRequest, SearchEntry)
 *   src/loaders/search.ts, autocomplete.ts   the cached reads (search:<hash>, gen:search)
 *   src/data/search/      adapters: text-search and autocomplete SQL, query parsing, facet
 *                         fields and price ranges, embedders, vector indexes (pgvector, Qdrant),
 *                         the vector side's breaker, the indexer that keeps vectors in step
 *   src/runtime/search.ts the wiring: embedder -> vector index -> indexer -> engine -> service
 *
 * Why the engine is here and its types are in loaders/: the engine is the feature's logic (it
 * decides how the sides combine), so it belongs with the ranking it calls, above the data
 * adapters. The search loader caches the engine's answers and may not import modules/, so it
 * depends on a port one layer down (loaders/search-deps.ts), which the engine implements; the
 * composition root hands the engine to the loaders. Keeping the engine in data/ instead would
 * have kept the ranking there too (the engine calls it), and data/ may not import modules/.
 */
export { searchResolvers } from "./search.resolvers";
export { createSearchEngine } from "./search-engine";
export { createSearchService, type SearchService } from "./search.service";
export { reciprocalRankFusion } from "./ranking/rrf";
export { hybridHits } from "./ranking/hybrid-hits";
export { orderFacets } from "./ranking/facet-order";
