import type { Codec } from "../cache/codec";
import type { ProcessMemo } from "../cache/process-memo";
import type { ReadThrough } from "../cache/read-through";
import type { FamilyTtls } from "../cache/ttl";
import type { CacheKeys } from "../cache/keys";
import type { CategoryRepository } from "../data/repositories/category-repository";
import type { ProductRepository } from "../data/repositories/product-repository";
import type { StatsRepository } from "../data/repositories/stats-repository";
import type { CategoryTree } from "./category-tree-index";

/** What every loader factory needs: the request's read path, key builders, TTLs and repositories. */
export interface LoaderDeps {
  readThrough: ReadThrough;
  keys: CacheKeys;
  ttls: FamilyTtls;
  negativeTtlSeconds: number;
  categories: CategoryRepository;
  products: ProductRepository;
  statistics: StatsRepository;
  /** `cat:tree`'s codec, one per process: it keeps the last decoded tree (createCategoryTreeCodec). */
  categoryTreeCodec: Codec<CategoryTree>;
  /** The process's decoded tree, served while its counters hold (src/cache/process-memo.ts); one per process. */
  categoryTreeMemo: ProcessMemo<CategoryTree>;
}
