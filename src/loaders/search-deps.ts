/**
 * The search engine as the loaders see it: its request, its answer and the few fields its cache
 * key reads. A port, kept here because the search loader caches the engine's answers and loaders
 * may not import modules/; the engine itself (`createSearchEngine`) is in src/modules/search/.
 */
import type { FacetResult } from "../data/search/facets";
import type { SearchScope } from "../data/search/vector-index";
import type { VectorSide, VectorState } from "../data/search/vector-side";

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
  /**
   * VECTOR_SEARCH_UNAVAILABLE: HYBRID answered from text. SPELLING_CORRECTED: words that matched
   * nothing were also matched as vocabulary words like them. RELAXED_MATCH: no product had every
   * word; products with most of them come first. STOP_WORDS_ONLY: the query had only common words.
   * CANDIDATES_LIMITED: more products matched than SEARCH_CANDIDATE_LIMIT; a shortlist was ranked
   * and counted (`SearchEntry.totalIsLowerBound`).
   */
  code: "VECTOR_SEARCH_UNAVAILABLE" | "SPELLING_CORRECTED" | "RELAXED_MATCH" | "STOP_WORDS_ONLY" | "CANDIDATES_LIMITED";
  message: string;
}

/** The category most of a search's strong hits sit in (see `categoryIntent`); its products rank first. */
export interface SearchCategoryIntent {
  categoryId: number;
  /** Share of the strong hits in its subtree, 0..1. */
  share: number;
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
  /** True when the text side matched more than `SearchEngineOptions.candidateLimit`: `totalCount` and the facet counts count its candidates only. Absent in entries cached before it existed. */
  totalIsLowerBound?: boolean;
  facets: FacetResult[];
  notices: SearchNotice[];
  /** Null when the strong hits agree on no category. */
  categoryIntent: SearchCategoryIntent | null;
}

/** The engine's settings (SEARCH_* settings); all of them are part of every search cache key. */
export interface SearchEngineOptions {
  /** k of reciprocal rank fusion. */
  rrfK: number;
  /** Weight of the vector ranking in the fusion, the text ranking's being 1. */
  rrfVectorWeight: number;
  /** Share of a text match's within-tier score that is popularity (see `summarizeMatches`), 0..1. */
  popularityWeight: number;
  /** Hits kept per search (the window pages walk). */
  maxResults: number;
  /** Most text matches read, ranked and counted per statement (see `summarizeMatches`); null: every match. */
  candidateLimit: number | null;
  /** Neighbours the vector side contributes. */
  vectorCandidates: number;
  /** Least cosine similarity of a neighbour. */
  vectorMinScore: number;
  /** Most values per facet. */
  facetValues: number;
}

/** Runs searches (see `createSearchEngine`); a VECTOR search throws `VectorIndexUnavailableError` when the vector side is down. */
export interface SearchEngine {
  run(request: SearchRequest): Promise<SearchEntry>;
  /** The vector side: its state and its embedder's model are part of every search cache key. */
  readonly vector: VectorSide;
  readonly options: SearchEngineOptions;
  /** What else shapes its answers (the synonym rules' version): part of every search cache key. */
  readonly version: string;
}

/** What the search and autocomplete loaders need beside `LoaderDeps` (built by `createSearchRuntime`). */
export interface SearchEngineDeps {
  searchEngine: SearchEngine;
  /** Completions of a prefix (see `suggestCompletions`). */
  suggest(prefix: string, limit: number): Promise<string[]>;
}

/** What the search and autocomplete loaders need beside `LoaderDeps`. */
export interface SearchLoaderDeps extends SearchEngineDeps {
}
