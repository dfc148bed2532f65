import type { Authentication, Authenticator } from "./auth";
import { createCacheTrace, type CacheTrace } from "./cache/read-through";
import type { Loaders } from "./loaders";
import type { AdminService } from "./modules/admin/admin.service";
import type { CategoryService } from "./modules/category/category.service";
import type { ProductImportService } from "./modules/product/product-import.service";
import type { ProductService } from "./modules/product/product.service";
import type { SearchService } from "./modules/search/search.service";

/** The process's services, built once by the composition root (src/runtime.ts) and shared by every request. */
export interface Services {
  admin: AdminService;
  categories: CategoryService;
  products: ProductService;
  importProducts: ProductImportService;
  search: SearchService;
}

/** Settings resolvers read, from the configuration. */
export interface Settings {
  pagination: { defaultPageSize: number; maxPageSize: number };
  /** Store fresh rows in the cache after a write (CACHE_WRITE_THROUGH). */
  writeThrough: boolean;
}

/** What every resolver receives, built once per request (never shared across requests). */
export interface Context {
  /** This request's DataLoaders (created per request, so no memo outlives it). */
  loaders: Loaders;
  services: Services;
  settings: Settings;
  /** What the request's bearer token said: anonymous, a verified viewer, or why it was refused (writes check it with `requireRole`). */
  authentication: Authentication;
  /** What the request read from the cache: `extensions.cache`, and what the whole-response cache validates against. */
  cacheTrace: CacheTrace;
  /** The operation's estimated cost, set once it is accepted (src/plugins/operation-limits.ts), before execution. */
  operationCost?: number;
}

/** Builds each request's context from the process's parts (src/runtime.ts); `authorization` is the request's header. */
export function createContextFactory(parts: {
  createLoaders(trace: CacheTrace): Loaders;
  services: Services;
  settings: Settings;
  authenticate: Authenticator;
}): (authorization: string | undefined) => Promise<Context> {
  return async (authorization) => {
    const cacheTrace = createCacheTrace();
    return {
      loaders: parts.createLoaders(cacheTrace),
      services: parts.services,
      settings: parts.settings,
      authentication: await parts.authenticate(authorization),
      cacheTrace,
    };
  };
}
