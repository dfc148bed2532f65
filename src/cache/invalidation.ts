import { TOP_LEVEL } from "../catalog";
import { families as allFamilies, type Aspect, type CacheKeys, type Family } from "./keys";
import type { CacheStats } from "./stats";
import type { CacheStore } from "./store";
import { versionBumpsOf } from "./version-vector";

/**
 * What a write changed, as the cache sees it. A service computes it inside its transaction (it is
 * also written to the outbox), and `applyFootprint` turns it into Redis operations.
 *
 * Entity entries (rows, id lookups, children lists, the tree) are deleted: a delete also drops
 * their lease, which rejects any fill that read the database before the write. Entries stamped
 * with generations (listings, counts, inherited attributes, searches, statistics) are retired by
 * one INCR each and never deleted: a refill without a lease is guarded by its stamp alone.
 */
export interface Footprint {
  /** Category rows whose record changed (renamed, moved: their path and depth). */
  categories?: number[];
  /** Slugs whose mapping changed (old and new). */
  categorySlugs?: string[];
  /** Parents whose child list changed; null for the top level. */
  childrenOf?: (number | null)[];
  /** The tree changed: its shape, sibling order, or a name, slug or depth it holds. */
  tree?: boolean;
  /** Categories whose attribute definitions changed: retires their subtree's inherited sets. */
  attributesOf?: number[];
  /** Product rows that changed. */
  products?: number[];
  /** SKUs whose mapping changed (old and new). */
  productSkus?: string[];
  /**
   * Categories whose listings and counts changed in membership (the old and new category and all
   * ancestors): retires every listing and count of them, whatever its order or filter.
   */
  listingsOf?: number[];
  /** The catalog-wide listing (products with no category argument) changed in membership. */
  catalogListing?: boolean;
  /**
   * Per product field, the categories (null: the catalog-wide listing) whose listings ordered or
   * filtered by that field may have changed; listings that read other fields keep their entries.
   */
  listingAspects?: Partial<Record<Aspect, (number | null)[]>>;
  /** Every search and autocomplete may have changed (membership, ranked text, categories, brands). */
  search?: boolean;
  /** Searches that read these fields (filtered on them, or faceted: `priceBand`) may have changed. */
  searchAspects?: Aspect[];
  /** Every statistic may have changed. */
  stats?: boolean;
  /** Statistics that read these fields may have changed. */
  statsAspects?: Aspect[];
  /** Whole families retired (the admin's invalidateCache with no ids). */
  families?: Family[];
}

/** Whether a footprint touches nothing (a write that changed nothing needs no invalidation). */
export function isEmptyFootprint(footprint: Footprint): boolean {
  return !Object.values(footprint).some(touches);
}

function touches(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === "object") return Object.values(value).some(touches);
  return Boolean(value);
}

/** One footprint covering all of `footprints` (the outbox replays many rows in one go). */
export function mergeFootprints(footprints: readonly Footprint[]): Footprint {
  const merged: Footprint = {};
  const union = <T>(a: T[] | undefined, b: T[] | undefined) => (b?.length ? [...new Set([...(a ?? []), ...b])] : a);
  for (const f of footprints) {
    merged.categories = union(merged.categories, f.categories);
    merged.categorySlugs = union(merged.categorySlugs, f.categorySlugs);
    merged.childrenOf = union(merged.childrenOf, f.childrenOf);
    merged.attributesOf = union(merged.attributesOf, f.attributesOf);
    merged.products = union(merged.products, f.products);
    merged.productSkus = union(merged.productSkus, f.productSkus);
    merged.listingsOf = union(merged.listingsOf, f.listingsOf);
    merged.families = union(merged.families, f.families);
    merged.searchAspects = union(merged.searchAspects, f.searchAspects);
    merged.statsAspects = union(merged.statsAspects, f.statsAspects);
    for (const [aspect, categories] of Object.entries(f.listingAspects ?? {}) as [Aspect, (number | null)[]][]) {
      merged.listingAspects ??= {};
      merged.listingAspects[aspect] = union(merged.listingAspects[aspect], categories);
    }
    merged.tree ||= f.tree;
    merged.catalogListing ||= f.catalogListing;
    merged.search ||= f.search;
    merged.stats ||= f.stats;
  }
  return merged;
}

/** The store operations of a footprint: keys to delete and generation counters to increment. */
export function footprintOperations(keys: CacheKeys, footprint: Footprint): { del: string[]; incr: string[] } {
  const del = new Set<string>();
  const incr = new Set<string>();
  for (const id of footprint.categories ?? []) del.add(keys.categoryKey(id));
  for (const slug of footprint.categorySlugs ?? []) del.add(keys.categorySlugKey(slug));
  for (const parent of footprint.childrenOf ?? []) del.add(keys.categoryChildrenKey(parent ?? TOP_LEVEL));
  if (footprint.tree) del.add(keys.categoryTreeKey());
  for (const id of footprint.attributesOf ?? []) incr.add(keys.generationKey("attrs:cat", id));
  for (const id of footprint.products ?? []) del.add(keys.productKey(id));
  for (const sku of footprint.productSkus ?? []) del.add(keys.productSkuKey(sku));
  for (const id of footprint.listingsOf ?? []) incr.add(keys.generationKey("prods:cat", id));
  if (footprint.catalogListing) incr.add(keys.generationKey("prods:cat", null));
  for (const [aspect, categories] of Object.entries(footprint.listingAspects ?? {}) as [Aspect, (number | null)[]][]) {
    for (const id of categories) incr.add(keys.generationKey("prods:cat", id, aspect));
  }
  if (footprint.search) incr.add(keys.generationKey("search"));
  for (const aspect of footprint.searchAspects ?? []) incr.add(keys.generationKey("search", undefined, aspect));
  if (footprint.stats) incr.add(keys.generationKey("stats"));
  for (const aspect of footprint.statsAspects ?? []) incr.add(keys.generationKey("stats", undefined, aspect));
  for (const family of footprint.families ?? []) incr.add(keys.generationKey(family));
  return { del: [...del], incr: [...incr] };
}

/**
 * Applies a footprint in one round trip on one Redis (two on a cluster), however large: deletes its
 * keys and moves its generations, then the whole-response cache's version counters of every key it
 * deleted or moved (in every response shard). Throws if the store is unavailable, so the caller keeps it in the outbox.
 */
export async function applyFootprint(store: CacheStore, keys: CacheKeys, footprint: Footprint, stats?: CacheStats): Promise<void> {
  const { del, incr } = footprintOperations(keys, footprint);
  // The version counters go last: a response saved before them reads the old counters, then finds
  // a changed value when it checks what it read, and is not kept (src/response-cache.ts). Counters
  // moved first would let it be kept with the old data and validate for good.
  await store.invalidate(del, incr, versionBumpsOf(keys, [...del, ...incr]));
  if (stats) {
    for (const key of del) {
      const family = keys.familyOf(key);
      if (family && family !== "gen") stats.record(family, "invalidation");
    }
    for (const key of incr) stats.record(genFamily(keys, key), "invalidation");
  }
}

// `gen:prods:cat:7` and `gen:prods:cat:7:price` count as invalidations of the `prods:cat` family
// (the longest family the counter's name starts with: `cat:tree`, not `cat`).
function genFamily(keys: CacheKeys, key: string): Family {
  const rest = keys.unwrap(key).slice("gen:".length);
  const matching = allFamilies.filter((family) => rest === family || rest.startsWith(`${family}:`));
  return matching.reduce((longest, family) => (family.length > longest.length ? family : longest), matching[0] ?? (rest as Family));
}
