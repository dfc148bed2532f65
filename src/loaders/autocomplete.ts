import DataLoader from "dataloader";
import { jsonCodec } from "../cache/codec";
import { hashArgs } from "../cache/keys";
import { autocompleteAspects } from "./aspects";
import type { LoaderDeps } from "./deps";
import type { SearchLoaderDeps } from "./search-deps";

/** An autocomplete request: a normalized prefix and a validated limit. */
export interface AutocompleteQuery {
  prefix: string;
  limit: number;
}

/**
 * Completions read through the `search` family under a hash of their own (`search:<hash of
 * {autocomplete, prefix, limit}>`), stamped with `gen:search` and `gen:search:popularity` (completions are ranked by it): the
 * product write that retires searches retires suggestions too, and no separate family or TTL is needed.
 */
export function createAutocompleteLoader({ readThrough, keys, ttls, suggest }: LoaderDeps & SearchLoaderDeps) {
  const hashOf = (query: AutocompleteQuery) => hashArgs({ kind: "autocomplete", ...query });
  const spec = {
    family: "search" as const,
    key: (query: AutocompleteQuery) => keys.searchKey(hashOf(query)),
    ttlSeconds: ttls.search,
    codec: jsonCodec<string[]>(),
    dependsOn: () => [keys.generationKey("search"), ...autocompleteAspects.map((aspect) => keys.generationKey("search", undefined, aspect))],
    load: (queries: readonly AutocompleteQuery[]) => Promise.all(queries.map((query) => suggest(query.prefix, query.limit))),
  };
  return new DataLoader<AutocompleteQuery, string[], string>(
    async (queries) => (await readThrough.load(spec, queries)).map((suggestions) => suggestions ?? []),
    { cacheKeyFn: hashOf },
  );
}
