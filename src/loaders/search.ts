import DataLoader from "dataloader";
import { jsonCodec } from "../cache/codec";
import { hashArgs } from "../cache/keys";
import { VectorIndexUnavailableError } from "../data/search/vector-index";
import { searchAspects } from "./aspects";
import type { LoaderDeps } from "./deps";
import type { SearchEntry, SearchLoaderDeps, SearchRequest } from "./search-deps";

/** A search as a resolver asks for it: the request without the vector state, which the loader adds. */
export type SearchQuery = Omit<SearchRequest, "vector">;

/**
 * Search results (ranked ids and scores, total, facets) read through `search:<hash>`, where the
 * hash covers the normalized request, the vector side's state, the embedder's model and the
 * engine's settings and synonym rules. Entries are stamped with `gen:search`, which every write of
 * what search ranks or scopes moves (Footprint.search), and with the aspects the request filters or
 * facets on (aspects.ts: `gen:search:price` for a price filter, `gen:search:priceBand` for the price
 * facet, ...), which product updates of those fields move, so a cached search never outlives a write.
 * Rows come through the product loader.
 *
 * If the vector side fails during a batch, it goes "down" and the batch is answered again under
 * keys that say so: HYBRID then falls back to text (cached as such, never as a hybrid answer),
 * VECTOR fails with VectorIndexUnavailableError.
 */
export function createSearchLoader({ readThrough, keys, ttls, searchEngine }: LoaderDeps & SearchLoaderDeps) {
  const settings = hashArgs({ ...searchEngine.options, model: searchEngine.vector.model, version: searchEngine.version });
  const hashOf = (request: SearchRequest) => hashArgs({ kind: "search", ...request, settings });
  const spec = {
    family: "search" as const,
    key: (request: SearchRequest) => keys.searchKey(hashOf(request)),
    ttlSeconds: ttls.search,
    codec: jsonCodec<SearchEntry>(),
    dependsOn: (request: SearchRequest) => [
      keys.generationKey("search"),
      ...searchAspects(request.scope.filter).map((aspect) => keys.generationKey("search", undefined, aspect)),
    ],
    load: (requests: readonly SearchRequest[]) => Promise.all(requests.map((request) => searchEngine.run(request))),
  };
  const keyed = (query: SearchQuery): SearchRequest => ({ ...query, vector: searchEngine.vector.state() });
  return new DataLoader<SearchQuery, SearchEntry, string>(
    async (queries) => {
      try {
        return (await readThrough.load(spec, queries.map(keyed))) as SearchEntry[];
      } catch (error) {
        if (!(error instanceof VectorIndexUnavailableError)) throw error;
        return Promise.all(
          queries.map((query) => readThrough.load(spec, [keyed(query)]).then(([entry]) => entry as SearchEntry, (failure: Error) => failure)),
        );
      }
    },
    { cacheKeyFn: (query) => hashArgs(query) },
  );
}
