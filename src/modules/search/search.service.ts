import type { VectorSide, VectorState } from "../../data/search/vector-side";
import type { SearchLimits } from "./search-args";

/** What resolvers read from `ctx.services.search`. */
export interface SearchService {
  limits: SearchLimits;
  /** The vector side now: pgvector, qdrant, none (not configured) or down (failed lately). */
  vectorState(): VectorState;
}

/** The search service over the argument limits and the vector side (built by `createSearchRuntime`). */
export function createSearchService(limits: SearchLimits, vector: VectorSide): SearchService {
  return { limits, vectorState: () => vector.state() };
}
