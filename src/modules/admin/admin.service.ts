import { applyFootprint, footprintOperations, type Footprint } from "../../cache/invalidation";
import type { CacheRuntime } from "../../cache/read-through";
import type { Family } from "../../cache/keys";
import type { Database } from "../../data/database";
import { BadUserInputError, ServiceUnavailableError } from "../../errors";
import type { CacheFamily } from "../../generated/graphql";
import type { Loaders } from "../../loaders";
import { TOP_LEVEL } from "../../catalog";

/** Most products `warmCache` loads in one call. */
export const MAX_WARM_PRODUCTS = 100_000;

export interface WarmReport {
  categories: number;
  products: number;
  alreadyCached: number;
  durationMs: number;
}

const familyOf: Record<CacheFamily, Family> = {
  CATEGORY: "cat",
  CATEGORY_SLUG: "cat:slug",
  CATEGORY_TREE: "cat:tree",
  CATEGORY_CHILDREN: "cat:children",
  CATEGORY_ATTRIBUTES: "attrs:cat",
  PRODUCT: "prod",
  PRODUCT_SKU: "prod:sku",
  PRODUCT_LISTING: "prods:cat",
  SEARCH: "search",
  STATS: "stats",
};

function parseIds(ids: readonly string[], field: string): number[] {
  return ids.map((id, i) => {
    if (!/^\d{1,10}$/.test(id)) throw new BadUserInputError(`${field}[${i}] must be an integer id, got ${JSON.stringify(id)}`, `${field}[${i}]`);
    return Number(id);
  });
}

/** The footprint that retires a family, or only some of its entries. */
export function familyFootprint(family: CacheFamily, ids: readonly string[] | null | undefined): Footprint {
  if (!ids) return { families: [familyOf[family]] };
  switch (family) {
    case "CATEGORY":
      return { categories: parseIds(ids, "ids") };
    case "CATEGORY_SLUG":
      return { categorySlugs: [...ids] };
    case "CATEGORY_TREE":
      return { tree: true };
    case "CATEGORY_CHILDREN":
      return { childrenOf: parseIds(ids, "ids").map((id) => (id === 0 ? null : id)) };
    case "CATEGORY_ATTRIBUTES":
      return { attributesOf: parseIds(ids, "ids") };
    case "PRODUCT":
      return { products: parseIds(ids, "ids") };
    case "PRODUCT_SKU":
      return { productSkus: [...ids] };
    case "PRODUCT_LISTING":
      return { listingsOf: parseIds(ids, "ids") };
    case "SEARCH":
    case "STATS":
      throw new BadUserInputError(`${family} entries are keyed by hashes; retire the whole family (no ids)`, "ids");
    default: {
      const never: never = family;
      throw new Error(`Unknown cache family ${String(never)}`);
    }
  }
}

/** Warming and retiring the cache, for the admin mutations and for warming on start. */
export function createAdminService(db: Database, cache: CacheRuntime, options: { warmProducts: number }) {
  return {
    /**
     * Reads the tree, every category and the most popular products through request loaders, so
     * what is missing is filled by the guarded read path (nothing already cached is rewritten).
     * `topProducts` defaults to CACHE_WARM_PRODUCTS.
     */
    async warm(loaders: Loaders, topProducts = options.warmProducts): Promise<WarmReport> {
      if (!Number.isInteger(topProducts) || topProducts < 0 || topProducts > MAX_WARM_PRODUCTS) {
        throw new BadUserInputError(`topProducts must be between 0 and ${MAX_WARM_PRODUCTS}, got ${topProducts}`, "topProducts");
      }
      const started = Date.now();
      const hitsBefore = totalHits(cache);
      const tree = await loaders.categoryTree.load("tree");
      const categoryIds = tree.nodes.map((node) => node.id);
      const categories = (await loaders.category.loadMany(categoryIds)).filter((row) => row && !(row instanceof Error));
      await loaders.categoryChildren.loadMany([TOP_LEVEL, ...categoryIds]);
      const top = await db.prisma.product.findMany({
        select: { id: true, sku: true },
        orderBy: [{ popularity: "desc" }, { id: "asc" }],
        take: topProducts,
      });
      await loaders.product.loadMany(top.map((row) => row.id));
      await loaders.productBySku.loadMany(top.map((row) => row.sku));
      return {
        categories: categories.length,
        products: top.length,
        alreadyCached: totalHits(cache) - hitsBefore,
        durationMs: Date.now() - started,
      };
    },

    /** Counters per family since start, and the store's state, for Query.cacheStats. */
    async stats() {
      const store = cache.store;
      const [available, info] = store
        ? await Promise.all([store.ping(), store.info().catch(() => ({ usedMemoryBytes: null, keyCount: null }))])
        : [false, { usedMemoryBytes: null, keyCount: null }];
      const families = Object.entries(cache.stats.snapshot()).map(([family, row]) => {
        // A stale entry is also counted as a miss (it was loaded again), so reads are hits + misses.
        const reads = row.hit + row.miss;
        return {
          family,
          hits: row.hit,
          misses: row.miss,
          stale: row.stale,
          coalesced: row.coalesced,
          leaseWaits: row.leaseWait,
          rejectedWrites: row.rejectedWrite,
          errors: row.error,
          invalidations: row.invalidation,
          nearHits: row.nearHit,
          hitRate: reads === 0 ? null : row.hit / reads,
        };
      });
      return {
        store: store?.name ?? "none",
        available,
        circuit: store && "state" in store ? String((store as { state: string }).state) : null,
        usedMemoryBytes: info.usedMemoryBytes,
        keyCount: info.keyCount,
        families: families.sort((a, b) => a.family.localeCompare(b.family)),
        sqlStatements: db.counter.statements,
        storeRoundTrips: store?.roundTrips ?? 0,
        near: nearStats(cache),
      };
    },

    /** Retires a family or some of its entries: DEL of the keys or INCR of generations, never a scan. */
    async invalidate(family: CacheFamily, ids: readonly string[] | null | undefined) {
      const footprint = familyFootprint(family, ids);
      if (cache.store) {
        try {
          await applyFootprint(cache.store, cache.keys, footprint, cache.stats);
        } catch (error) {
          throw new ServiceUnavailableError(`The cache store did not apply the invalidation: ${(error as Error).message}`);
        }
      }
      const { del, incr } = footprintOperations(cache.keys, footprint);
      return { family, deletedKeys: del.length, generations: incr.length };
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;

function nearStats(cache: CacheRuntime) {
  const near = cache.near;
  if (!near) return null;
  const { counters, size } = near.cache;
  return {
    tracking: near.cache.accepting,
    barrier: near.strict,
    entries: size.entries,
    bytes: size.bytes,
    maxBytes: near.maxBytes,
    hits: counters.hits,
    misses: counters.misses,
    invalidations: counters.invalidations,
    refused: counters.refused,
    flushes: counters.flushes,
    barriers: near.barriers.sent,
    barrierFailures: near.barriers.failed,
  };
}

function totalHits(cache: CacheRuntime): number {
  return Object.values(cache.stats.snapshot()).reduce((sum, row) => sum + row.hit, 0);
}
