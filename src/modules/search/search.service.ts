import type { SearchConfig } from "../../config";
import type { VectorSide, VectorState } from "../../data/search/vector-side";
import type { SearchLimits } from "./search-args";

/** What resolvers read from `ctx.services.search`. */
export interface SearchService {
  limits: SearchLimits;
  /** The vector side now: pgvector, qdrant, none (not configured) or down (failed lately). */
  vectorState(): VectorState;
}

/** The search service over the settings and the vector side (built by `createSearchRuntime`). */
export function createSearchService(config: SearchConfig, vector: VectorSide): SearchService {
  return {
    limits: {
      maxQueryLength: config.maxQueryLength,
      defaultPageSize: config.defaultPageSize,
      maxPageSize: config.maxPageSize,
      autocomplete: config.autocomplete,
    },
    vectorState: () => vector.state(),
  };
}
