import { createCategoryLoader, createCategorySlugLoader } from "./category";
import { createCategoryAttributesLoader } from "./category-attributes";
import { createCategoryChildrenLoader } from "./category-children";
import { createCategoryTreeLoader } from "./category-tree";
import type { LoaderDeps } from "./deps";
import { createProductLoader, createProductSkuLoader } from "./product";
import { createProductCountLoader, createProductPageLoader } from "./product-page";
import { createAutocompleteLoader } from "./autocomplete";
import { createSearchLoader } from "./search";
import type { SearchLoaderDeps } from "./search-deps";
import { createStatsLoader } from "./stats";

export type { LoaderDeps } from "./deps";
export { createCategoryTreeCodec, type CategoryTree, type NestedTreeNode } from "./category-tree";
export type { SearchLoaderDeps } from "./search-deps";

/** The request's loaders: created once per request, so no batch or memo outlives it. */
export function createLoaders(deps: LoaderDeps & SearchLoaderDeps) {
  return {
    category: createCategoryLoader(deps),
    categoryBySlug: createCategorySlugLoader(deps),
    categoryChildren: createCategoryChildrenLoader(deps),
    categoryTree: createCategoryTreeLoader(deps),
    categoryAttributes: createCategoryAttributesLoader(deps),
    product: createProductLoader(deps),
    productBySku: createProductSkuLoader(deps),
    productPage: createProductPageLoader(deps),
    productCount: createProductCountLoader(deps),
    search: createSearchLoader(deps),
    autocomplete: createAutocompleteLoader(deps),
    stats: createStatsLoader(deps),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Forgets what this request's loaders memoized, after the request's own write: the rest of the
 * response then reads through the (invalidated) cache and sees the write.
 */
export function clearLoaders(loaders: Loaders): void {
  for (const loader of Object.values(loaders)) if ("clearAll" in loader) loader.clearAll();
}
