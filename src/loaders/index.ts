import { createCategoryLoader, createCategorySlugLoader } from "./category";
import { createCategoryAttributesLoader } from "./category-attributes";
import { createCategoryChildrenLoader } from "./category-children";
import { createCategoryTreeLoader } from "./category-tree";
import type { LoaderDeps } from "./deps";
import { createProductLoader, createProductSkuLoader } from "./product";
import { createProductCountLoader, createProductPageLoader } from "./product-page";

export type { LoaderDeps } from "./deps";

/** The request's loaders: created once per request, so no batch or memo outlives it. */
export function createLoaders(deps: LoaderDeps) {
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
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
