import type { Authentication, Authenticator } from "./auth";
import { createCacheTrace, type CacheTrace } from "./cache/read-through";
import type { RateLimitRefusal } from "./edge/rate-limit";
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
  /** What the edge and the plugins learn of this request, read by the HTTP handler afterwards (telemetry). */
  record: RequestRecord;
}

/**
 * One request as the edge sees it. The HTTP handler creates it and hands it to the context; Apollo
 * runs plugins and resolvers on a shallow copy of the context, so this object (shared by both) is
 * how what they learn (the cost, the operation, the error codes) reaches the handler.
 */
export interface RequestRecord {
  /** The client's address (TRUSTED_PROXIES decides whether X-Forwarded-For is read). */
  clientIp: string;
  /** The operation's name, null when it has none or was not parsed. */
  operationName: string | null;
  /** The accepted operation's estimated cost; null when it was refused before (or never had) one. */
  cost: number | null;
  /** `extensions.code` of every error answered. */
  errorCodes: string[];
  /** `extensions.limit` of the first error, when it names one (QUERY_TOO_COMPLEX, RATE_LIMITED). */
  refusalLimit?: string;
  /** The request spent its rate-limit budgets already (src/plugins/rate-limits.ts). */
  rateCharged: boolean;
  /** What that charge of an executed request decided (null: within budget); set by `chargeOperation`. */
  rateRefusal?: RateLimitRefusal | null;
  /** Execution started (the request was not refused before it). */
  executed: boolean;
}

/** A fresh record of a request from `clientIp`. */
export function createRequestRecord(clientIp: string): RequestRecord {
  return { clientIp, operationName: null, cost: null, errorCodes: [], rateCharged: false, executed: false };
}

/** Builds each request's context from the process's parts (src/runtime.ts); `authorization` is the request's header. */
export function createContextFactory(parts: {
  createLoaders(trace: CacheTrace): Loaders;
  services: Services;
  settings: Settings;
  authenticate: Authenticator;
}): (authorization: string | undefined, record?: RequestRecord) => Promise<Context> {
  return async (authorization, record = createRequestRecord("unknown")) => {
    const cacheTrace = createCacheTrace();
    return {
      loaders: parts.createLoaders(cacheTrace),
      services: parts.services,
      settings: parts.settings,
      authentication: await parts.authenticate(authorization),
      cacheTrace,
      record,
    };
  };
}
