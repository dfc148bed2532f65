import type { ReadThrough } from "../cache/read-through";
import type { FamilyTtls } from "../cache/ttl";
import type { CacheKeys } from "../cache/keys";
import type { CategoryRepository } from "../data/repositories/category-repository";
import type { ProductRepository } from "../data/repositories/product-repository";
import type { StatsRepository } from "../data/repositories/stats-repository";

/** What every loader factory needs: the request's read path, key builders, TTLs and repositories. */
export interface LoaderDeps {
  readThrough: ReadThrough;
  keys: CacheKeys;
  ttls: FamilyTtls;
  negativeTtlSeconds: number;
  categories: CategoryRepository;
  products: ProductRepository;
  statistics: StatsRepository;
}
