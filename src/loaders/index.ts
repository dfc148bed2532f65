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

/** Every loader of a request, by name: each factory runs at most once per request. */
const factories = {
  category: createCategoryLoader,
  categoryBySlug: createCategorySlugLoader,
  categoryChildren: createCategoryChildrenLoader,
  categoryTree: createCategoryTreeLoader,
  categoryAttributes: createCategoryAttributesLoader,
  product: createProductLoader,
  productBySku: createProductSkuLoader,
  productPage: createProductPageLoader,
  productCount: createProductCountLoader,
  search: createSearchLoader,
  autocomplete: createAutocompleteLoader,
  stats: createStatsLoader,
};

export type Loaders = { readonly [Name in keyof typeof factories]: ReturnType<(typeof factories)[Name]> };

type LoaderName = keyof Loaders;
/** A request's deps and the loaders built so far, under a symbol so that no resolver reads them. */
const state = Symbol("loaders");
interface LoaderState {
  deps: LoaderDeps & SearchLoaderDeps;
  built: { [Name in LoaderName]?: Loaders[Name] };
}

/**
 * The request's loaders: created once per request, so no batch or memo outlives it. Each is built
 * on the request's first use of it (a getter on a shared prototype): a request uses two or three of
 * the twelve, and building the others (the search loader hashes the engine's settings) cost more
 * than a cached lookup.
 */
export function createLoaders(deps: LoaderDeps & SearchLoaderDeps): Loaders {
  const loaders = Object.create(lazyLoaders) as Loaders & { [state]: LoaderState };
  loaders[state] = { deps, built: {} };
  return loaders;
}

const lazyLoaders: object = Object.defineProperties(
  {},
  Object.fromEntries(
    (Object.keys(factories) as LoaderName[]).map((name) => [
      name,
      {
        enumerable: true,
        get(this: { [state]: LoaderState }) {
          const { built, deps } = this[state];
          return ((built as Record<LoaderName, unknown>)[name] ??= factories[name](deps));
        },
      },
    ]),
  ),
);

/**
 * Forgets what this request's loaders memoized, after the request's own write: the rest of the
 * response then reads through the (invalidated) cache and sees the write.
 */
export function clearLoaders(loaders: Loaders): void {
  // Only those built: a loader not built yet has nothing memoized.
  const { built } = (loaders as Loaders & { [state]: LoaderState })[state];
  for (const loader of Object.values(built)) if ("clearAll" in loader) loader.clearAll();
}
