import type { Embedder } from "./embedder";
import { VectorIndexUnavailableError, type SearchScope, type VectorHit, type VectorIndex } from "./vector-index";

/**
 * The vector side's state: the index that answers, "none" (not configured), "down" (failed lately)
 * or "indexing" (the start's first embedding of the catalog runs: vectors are still missing).
 */
export type VectorState = VectorIndex["kind"] | "none" | "down" | "indexing";

/** How long the vector side is skipped after a failure, ms (SEARCH_VECTOR_RETRY_MS). Default 10000. */
export const DEFAULT_VECTOR_RETRY_MS = 10_000;

/**
 * The embedder and the vector index together, with a small breaker: after a failure of either the
 * side is "down" for `retryMs`, so an outage costs one timeout, not one per search. The state is
 * part of the search cache key: answers computed without vectors never stand in for real ones.
 */
export interface VectorSide {
  /** The embedder's model (part of search cache keys: vectors of two models never mix). */
  readonly model: string;
  state(): VectorState;
  /** Why a search keyed with `state` had no vectors (for notices); null for a working index. */
  reason(state: VectorState): string | null;
  /** Nearest products to `text`; throws VectorIndexUnavailableError (and goes down) on any failure. */
  neighbours(text: string, scope: SearchScope, limit: number, minScore: number): Promise<VectorHit[]>;
}

export interface VectorSideOptions {
  /** Run before every search (memoize it): e.g. create a collection that was unreachable at start. */
  prepare?: () => Promise<void>;
  /** How long the side stays down after a failure, ms. Default DEFAULT_VECTOR_RETRY_MS. */
  retryMs?: number;
  /** Clock, ms. Default Date.now. */
  now?: () => number;
  /** How far the start's first embedding of the catalog has come; null once it is done (or when none runs). Default: never indexing. */
  indexing?: () => { done: number; total: number } | null;
}

/** The vector side over `index` (null: not configured) and `embedder`. */
export function createVectorSide(
  index: VectorIndex | null,
  embedder: Embedder,
  { prepare, retryMs = DEFAULT_VECTOR_RETRY_MS, now = Date.now, indexing = () => null }: VectorSideOptions = {},
): VectorSide {
  let downUntil = 0;
  let lastError = "";
  const state = (): VectorState => (!index ? "none" : indexing() ? "indexing" : now() < downUntil ? "down" : index.kind);
  return {
    model: embedder.model,
    state,
    reason(at) {
      switch (at) {
        case "none":
          return "no vector index is configured (set QDRANT_URL, or run on a database with pgvector such as the embedded one)";
        case "down":
          return `the vector index failed (${lastError || "unavailable"}); it is retried every ${retryMs / 1000} s`;
        case "indexing": {
          const progress = indexing();
          const count = progress?.total ? ` (${progress.done}/${progress.total} products so far)` : "";
          return `the catalog is being embedded for the first time${count}; vectors are used once it is done`;
        }
        case "pgvector":
        case "qdrant":
          return null;
        default: {
          const never: never = at;
          throw new Error(`Unknown vector state ${String(never)}`);
        }
      }
    },
    async neighbours(text, scope, limit, minScore) {
      const current = state();
      if (!index || current === "down" || current === "indexing") throw new VectorIndexUnavailableError(`vector search is unavailable: ${this.reason(current)}`);
      try {
        await prepare?.();
        const [vector] = await embedder.embed([text], "query");
        return await index.search({ vector, scope, limit, minScore });
      } catch (error) {
        lastError = (error as Error).message.split("\n")[0].slice(0, 200);
        downUntil = now() + retryMs;
        throw new VectorIndexUnavailableError(`vector search failed: ${lastError}`);
      }
    },
  };
}
