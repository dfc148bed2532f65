import { mergeFootprints, type Footprint } from "../../cache/invalidation";
import type { Aspect } from "../../cache/keys";
import { idsOnPath } from "../../catalog";
import { PRICE_BOUNDS } from "../../data/search/facets";
import type { Product } from "../../generated/prisma/client";

/**
 * The footprint of every kind of catalog write (DESIGN.md, "Precise invalidation"): what the cache
 * must forget, computed from what the write read and wrote inside its transaction. Pure functions
 * of plain values; `Footprint` and how a footprint becomes Redis operations live with the cache
 * (src/cache/invalidation.ts). A category's listings and counts (`listingsOf`) cover its subtree, so
 * a change of a product in a category touches every ancestor's too.
 */

/** A category as its footprints need it. */
export interface CategoryFacts {
  id: number;
  slug: string;
  parentId: number | null;
}

/** A category a write places things under (null: the top level). */
export interface PlaceFacts {
  id: number;
  path: string;
}

/**
 * createProduct, deleteProduct, and an updateProduct that moves the product: the row, its SKU keys (old and new), the listings and
 * counts of its category chains (old and new: every id on each path), the catalog-wide listing,
 * searches and statistics.
 */
export function productWriteFootprint(id: number, skus: readonly string[], categoryPaths: readonly string[]): Footprint {
  return {
    products: [id],
    productSkus: [...new Set(skus)],
    listingsOf: chains(categoryPaths),
    catalogListing: true,
    search: true,
    stats: true,
  };
}

/** A product row as `productUpdateFootprint` compares it (the row before and after an update). */
export type ProductFacts = Pick<
  Product,
  "id" | "sku" | "name" | "description" | "brand" | "price" | "stock" | "popularity" | "attributes" | "categoryId"
>;

/**
 * updateProduct, as precise as the fields it changed (old row vs new row). A category change is
 * a membership change of both chains: everything `productWriteFootprint` names. Otherwise the row,
 * its old and new SKU keys only when the SKU changed (`prod:sku:<sku>` holds the id alone, which no
 * other field changes: a price write of a hot product then leaves its SKU lookup cached, and the
 * re-execution of its answers reads it instead of filling it again), and only what reads a changed field:
 *
 * | field       | listings (chain + catalog-wide) | searches                       | statistics |
 * |-------------|---------------------------------|--------------------------------|------------|
 * | price       | ordered or filtered by price    | filtered on price; all if its facet range changed | price (summary) |
 * | name        | ordered by name                 | all (ranked text, autocomplete) | -          |
 * | description | -                               | all (ranked text)              | -          |
 * | brand       | filtered by brand               | all (ranked text, brand facet) | brand (byBrand) |
 * | stock       | filtered in stock, if it crossed 0 | filtered in stock, if it crossed 0 | stock (summary) |
 * | attributes  | filtered by an attribute        | filtered by an attribute       | -          |
 * | popularity  | ordered by popularity           | autocomplete (ranked by it)    | -          |
 * | sku, image  | -                               | -                              | -          |
 *
 * Listings hold ids only (rows come through the product loader), so a listing is kept whenever
 * the changed field cannot change its ids, order, cursors, membership or total.
 */
export function productUpdateFootprint(before: ProductFacts, after: ProductFacts, categoryPaths: { before: string; after: string }): Footprint {
  if (before.categoryId !== after.categoryId) {
    return productWriteFootprint(after.id, [before.sku, after.sku], [categoryPaths.before, categoryPaths.after]);
  }
  const priceChanged = String(before.price) !== String(after.price);
  return footprintOfChanges(after, before.sku === after.sku ? [] : [before.sku, after.sku], categoryPaths.after, {
    price: priceChanged,
    priceBand: priceChanged && priceBandOf(before.price) !== priceBandOf(after.price),
    name: before.name !== after.name,
    description: before.description !== after.description,
    brand: before.brand !== after.brand,
    stock: before.stock !== after.stock,
    stockCrossedZero: before.stock > 0 !== after.stock > 0,
    attributes: JSON.stringify(before.attributes) !== JSON.stringify(after.attributes),
    popularity: before.popularity !== after.popularity,
  });
}

/**
 * updateProduct of `fields` (in the same category) when what the row held before is not known for
 * sure (writer.ts `statement`: another write of the product came between the read the precise
 * footprint was computed from and the update): each field's change as `productUpdateFootprint`
 * names it, with the thresholds crossed (the price's facet range, the stock's 0).
 */
export function productFieldsFootprint(after: ProductFacts, fields: Iterable<string>, categoryPath: string): Footprint {
  const set = new Set(fields);
  return footprintOfChanges(after, set.has("sku") ? [after.sku] : [], categoryPath, {
    price: set.has("price"),
    priceBand: set.has("price"),
    name: set.has("name"),
    description: set.has("description"),
    brand: set.has("brand"),
    stock: set.has("stock"),
    stockCrossedZero: set.has("stock"),
    attributes: set.has("attributes"),
    popularity: set.has("popularity"),
  });
}

/** Which of a product's facts an update changed, as its footprint needs them. */
interface Changes {
  price: boolean;
  /** The price moved to another range of the price facet. */
  priceBand: boolean;
  name: boolean;
  description: boolean;
  brand: boolean;
  stock: boolean;
  /** In stock before and not after, or the other way. */
  stockCrossedZero: boolean;
  attributes: boolean;
  popularity: boolean;
}

// The table of `productUpdateFootprint`, for a product that stays in the category at `categoryPath`.
function footprintOfChanges(after: ProductFacts, skus: string[], categoryPath: string, changes: Changes): Footprint {
  const listings = new Set<Aspect>();
  const searches = new Set<Aspect>();
  const statistics = new Set<Aspect>();
  let search = false;
  if (changes.price) {
    listings.add("price");
    searches.add("price");
    if (changes.priceBand) searches.add("priceBand");
    statistics.add("price");
  }
  if (changes.name) {
    listings.add("name");
    search = true;
  }
  if (changes.description) search = true;
  if (changes.brand) {
    listings.add("brand");
    search = true;
    statistics.add("brand");
  }
  if (changes.stock) {
    if (changes.stockCrossedZero) {
      listings.add("stock");
      searches.add("stock");
    }
    statistics.add("stock");
  }
  if (changes.attributes) {
    listings.add("attrs");
    searches.add("attrs");
  }
  if (changes.popularity) {
    listings.add("popularity");
    searches.add("popularity");
  }
  const chain = [...idsOnPath(categoryPath), null];
  const footprint: Footprint = { products: [after.id] };
  if (skus.length > 0) footprint.productSkus = [...new Set(skus)];
  if (listings.size > 0) footprint.listingAspects = Object.fromEntries([...listings].map((aspect) => [aspect, chain]));
  if (search) footprint.search = true;
  else if (searches.size > 0) footprint.searchAspects = [...searches];
  if (statistics.size > 0) footprint.statsAspects = [...statistics];
  return footprint;
}

// The price facet's range (facets.ts PRICE_BOUNDS) a price falls in.
function priceBandOf(price: ProductFacts["price"]): number {
  const value = Number(String(price));
  return PRICE_BOUNDS.filter((bound) => value >= bound).length - 1;
}

/** A product importProducts wrote (created or changed). */
export interface ImportedProduct {
  id: number;
  sku: string;
  categoryPath: string;
  /** The category path before the import; null for a product the import created. */
  previousCategoryPath: string | null;
}

/**
 * importProducts: what `productWriteFootprint` names for each written product, in one footprint
 * (built in one pass: an import has up to 10,000 rows). An import that writes nothing has none.
 */
export function productImportFootprint(written: readonly ImportedProduct[]): Footprint {
  if (written.length === 0) return {};
  return {
    products: written.map((product) => product.id),
    productSkus: written.map((product) => product.sku),
    listingsOf: chains(written.flatMap(({ categoryPath, previousCategoryPath }) => [categoryPath, ...(previousCategoryPath ? [previousCategoryPath] : [])])),
    catalogListing: true,
    search: true,
    stats: true,
  };
}

/**
 * createCategory: the new row and slug, its parent's children list, the tree and statistics. No
 * listing changes (the category is empty) and nothing inherits from it yet.
 */
export function categoryCreateFootprint(category: CategoryFacts): Footprint {
  return { categories: [category.id], categorySlugs: [category.slug], childrenOf: [category.parentId], tree: true, stats: true };
}

/**
 * updateCategory's name: the row; its parent's children list and the tree (siblings are listed by
 * name); searches (facets) and statistics, which show category names. Descendants hold only ids
 * and paths, so they keep their entries.
 */
export function categoryRenameFootprint(category: Pick<CategoryFacts, "id" | "parentId">): Footprint {
  return { categories: [category.id], childrenOf: [category.parentId], tree: true, search: true, stats: true };
}

/**
 * updateCategory's slug: the row, both slug lookups (the old one now misses, the new one finds it)
 * and the tree, which holds every category's slug.
 */
export function categorySlugFootprint(id: number, oldSlug: string, newSlug: string): Footprint {
  return { categories: [id], categorySlugs: [oldSlug, newSlug], tree: true };
}

/**
 * updateCategory's attribute definitions: one generation, which retires the inherited sets
 * (`attrs:cat`) of the category and its whole subtree.
 */
export function categoryAttributesFootprint(id: number): Footprint {
  return { attributesOf: [id] };
}

/** A category move as the write saw it: the category before, its new parent, the ids of its subtree. */
export interface CategoryMove {
  category: CategoryFacts & { path: string };
  /** The new parent; null for the top level. */
  to: PlaceFacts | null;
  /** Every category in the moved subtree (the category included): their paths and depths changed. */
  subtree: readonly number[];
}

/**
 * updateCategory's parentId: the subtree's rows (their path and depth changed); the children lists
 * of the old and new parent and the tree; the listings and counts of the old ancestors (which lose
 * the subtree's products) and of the new parent's chain (which gain them); the inherited attribute
 * sets of the subtree (its ancestors changed); searches (category paths) and statistics. The
 * subtree's own listings keep the same products and stay.
 */
export function categoryMoveFootprint({ category, to, subtree }: CategoryMove): Footprint {
  const oldAncestors = idsOnPath(category.path).slice(0, -1);
  return {
    categories: [...subtree],
    childrenOf: [category.parentId, to?.id ?? null],
    tree: true,
    listingsOf: [...oldAncestors, ...(to ? idsOnPath(to.path) : [])],
    attributesOf: [category.id],
    search: true,
    stats: true,
  };
}

/** What deleteCategory moved into `target` before deleting (with moveContentsTo). */
export interface MovedContents {
  target: PlaceFacts;
  /** Every category in the deleted category's subtree (itself included). */
  subtree: readonly number[];
  /** The products that were directly in the deleted category (now in the target). */
  products: readonly number[];
}

/**
 * deleteCategory: the row and slug, its parent's children list and its own, the tree, its
 * inherited attribute set and statistics. With `moved`: also the moved subtree's rows, the
 * target's children list, the moved products' rows, the listings and counts of both chains (the
 * deleted category's, target's) and searches.
 */
export function categoryDeleteFootprint(category: CategoryFacts & { path: string }, moved?: MovedContents): Footprint {
  const deleted: Footprint = {
    categories: [category.id],
    categorySlugs: [category.slug],
    childrenOf: [category.parentId, category.id],
    tree: true,
    attributesOf: [category.id],
    stats: true,
  };
  if (!moved) return deleted;
  return mergeFootprints([
    deleted,
    {
      categories: [...moved.subtree],
      childrenOf: [moved.target.id],
      products: [...moved.products],
      listingsOf: [...idsOnPath(category.path), ...idsOnPath(moved.target.path)],
      search: true,
    },
  ]);
}

// Every category on the given paths, once.
function chains(paths: readonly string[]): number[] {
  return [...new Set(paths.flatMap(idsOnPath))];
}
