import DataLoader from "dataloader";
import { LRUCache } from "lru-cache";
import { jsonCodec } from "../cache/codec";
import { hashArgs } from "../cache/keys";
import type { ListingPage, ListingQuery } from "../data/repositories/product-repository";
import { listingAspects } from "./aspects";
import type { ReadRepositories } from "../data/read-replicas";
import type { LoaderDeps } from "./deps";

/**
 * Pages of product ids for a listing, read through `prods:cat:<id>:<args hash>` and stamped with
 * the listing generation of the category (or of the whole catalog), which a product's create,
 * delete or move moves for its old and new category and their ancestors, and with one aspect
 * generation per field its order and filter read (`gen:prods:cat:<id>:price`, ...; aspects.ts),
 * which an update of that field moves. Rows come through the product loader, so a field the
 * listing does not order or filter by never retires it.
 */
export function createProductPageLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls } = deps;
  // DataLoader's key and the cache key are both made of the listing's hash (a SHA-1 of its stable
  // JSON): computed once per query object, which DataLoader hands to the batch as it was loaded.
  const hashes = new WeakMap<ListingQuery, string>();
  const hashOf = (query: ListingQuery) => {
    let hash = hashes.get(query);
    if (hash === undefined) hashes.set(query, (hash = listingHash(query)));
    return hash;
  };
  const spec = {
    family: "prods:cat" as const,
    key: (query: ListingQuery) => keys.productListKey(query.category?.id ?? null, hashOf(query)),
    ttlSeconds: ttls["prods:cat"],
    codec: jsonCodec<ListingPage>(),
    dependsOn: (query: ListingQuery) => {
      const id = query.category?.id ?? null;
      return [keys.generationKey("prods:cat", id), ...listingAspects(query).map((aspect) => keys.generationKey("prods:cat", id, aspect))];
    },
    // Each listing is its own query; the batch runs them together.
    replicaReads: true,
    load: (queries: readonly ListingQuery[], on: ReadRepositories = deps) => Promise.all(queries.map((query) => on.products.page(query))),
  };
  return new DataLoader<ListingQuery, ListingPage, string>(
    async (queries) => (await readThrough.load(spec, queries)).map((page) => page ?? emptyPage),
    { cacheKeyFn: hashOf },
  );
}

/** Product counts of categories, with or without descendants, stamped with membership only (no field changes a count). */
export function createProductCountLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls } = deps;
  type CountKey = { id: number; includeDescendants: boolean };
  const spec = {
    family: "prods:cat" as const,
    key: (key: CountKey) => keys.productListKey(key.id, key.includeDescendants ? "count-subtree" : "count-own"),
    ttlSeconds: ttls["prods:cat"],
    codec: jsonCodec<number>(),
    dependsOn: (key: CountKey) => [keys.generationKey("prods:cat", key.id)],
    replicaReads: true,
    load: async (countKeys: readonly CountKey[], on: ReadRepositories = deps) => {
      const results = new Map<string, number>();
      for (const includeDescendants of [true, false]) {
        const ids = countKeys.filter((key) => key.includeDescendants === includeDescendants).map((key) => key.id);
        if (ids.length === 0) continue;
        const counts = await on.categories.productCounts(ids, includeDescendants);
        for (const id of ids) results.set(`${id}:${includeDescendants}`, counts.get(id) ?? 0);
      }
      return countKeys.map((key) => results.get(`${key.id}:${key.includeDescendants}`) ?? 0);
    },
  };
  return new DataLoader<CountKey, number, string>(
    async (countKeys) => (await readThrough.load(spec, countKeys)).map((count) => count ?? 0),
    { cacheKeyFn: (key) => `${key.id}:${key.includeDescendants}` },
  );
}

const emptyPage: ListingPage = { ids: [], cursors: [], hasNextPage: false, totalCount: 0 };

/** Listing hashes kept by the listing's plain JSON (least recently used dropped first). */
const MAX_LISTING_HASHES = 1000;

// Hashes of listings already hashed, by their plain JSON: the same listing (the same text, whatever
// the order of its keys) has the same hash, so a hot listing's stable JSON and SHA-1 are computed
// once per process, and each request pays one native JSON.stringify. A pure function's memo, not
// a loader: nothing here depends on the request or on the data.
const listingHashes = new LRUCache<string, string>({ max: MAX_LISTING_HASHES });

// The category's path is not part of the key: the listing of a category is the same wherever it sits.
// Every other field is (the type makes a new field of ListingQuery an error here); written out, as
// an object spread of the rest costs more than the JSON of the result on the hot path.
function listingHash(query: ListingQuery): string {
  const args: Record<Exclude<keyof ListingQuery, "category">, unknown> & { categoryId: number | null } = {
    includeDescendants: query.includeDescendants,
    filter: query.filter,
    orderBy: query.orderBy,
    first: query.first,
    after: query.after,
    categoryId: query.category?.id ?? null,
  };
  const text = JSON.stringify(args);
  let hash = listingHashes.get(text);
  if (hash === undefined) listingHashes.set(text, (hash = hashArgs(args)));
  return hash;
}
