import type { Authentication } from "./auth";
import type { CacheTrace } from "./cache/read-through";
import type { Loaders } from "./loaders";
import type { AdminService } from "./modules/admin/admin.service";
import type { CategoryService } from "./modules/category/category.service";
import type { ProductImportService } from "./modules/product/product-import.service";
import type { ProductService } from "./modules/product/product.service";
import type { SearchService } from "./modules/search/search.service";

/** A verified caller: the token's subject and roles. */
export interface Viewer {
  subject: string;
  roles: string[];
}

/** What every resolver receives, built once per request (never shared across requests). */
export interface Context {
  loaders: Loaders;
  services: {
    pagination: { defaultPageSize: number; maxPageSize: number };
    admin: AdminService;
    categories: CategoryService;
    products: ProductService;
    importProducts: ProductImportService;
    /** Store fresh rows in the cache after a write (CACHE_WRITE_THROUGH). */
    writeThrough: boolean;
    search: SearchService;
  };
  /** Who is asking: anonymous, a verified viewer, or a refused token (writes check it). */
  viewer: Authentication;
  cacheTrace: CacheTrace;
  /**
   * Set by the response-cache plugin when this response may be kept whole (an error-free query).
   * An object, not a flag: Apollo runs operations on a shallow copy of the context.
   */
  response: { cacheable: boolean };
}
