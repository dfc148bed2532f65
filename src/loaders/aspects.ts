import type { Aspect } from "../cache/keys";
import { sortOf, type ListingQuery, type ProductFilterInput } from "../data/repositories/product-repository";
import type { StatType } from "../data/repositories/stats-repository";

/**
 * What a cached answer reads beside membership, as generation aspects (keys.ts `Aspect`): the
 * loaders stamp their entries with these, and a product update moves only the aspects of the
 * fields it changed (src/modules/shared/footprints.ts `productUpdateFootprint`). An aspect left
 * out here is a stale read waiting to happen, so each list says what it reads and why.
 */

/** The fields a product filter (listings and searches) tests. */
export function filterAspects(filter: ProductFilterInput): Aspect[] {
  const read = new Set<Aspect>();
  if (filter.minPrice != null || filter.maxPrice != null) read.add("price");
  if (filter.brands?.length) read.add("brand");
  if (filter.inStock != null) read.add("stock");
  if (filter.attributes?.length) read.add("attrs");
  return [...read];
}

/**
 * A listing page: its filter and its order (the order's field also fills the page's cursors).
 * NEWEST reads createdAt, which no write changes; id, the tie-break, never changes either.
 */
export function listingAspects(query: Pick<ListingQuery, "filter" | "orderBy">): Aspect[] {
  const read = new Set(filterAspects(query.filter));
  const { field } = sortOf(query.orderBy);
  if (field !== "createdAt") read.add(field);
  return [...read];
}

/**
 * A search: its filter, and the price facet every search entry counts (facets.ts: all facets are
 * computed whatever the request shows), which changes only when a price leaves its range. Ranked
 * text (name, brand, description) and categories are membership (`gen:search`) for every search.
 */
export function searchAspects(filter: ProductFilterInput): Aspect[] {
  return [...new Set<Aspect>([...filterAspects(filter), "priceBand"])];
}

/** Autocomplete ranks completions by popularity (autocomplete.ts); their text is membership. */
export const autocompleteAspects: readonly Aspect[] = ["popularity"];

/**
 * A statistic: summary reads price (min, avg, max) and stock (total); byBrand reads brands;
 * byTopLevelCategory reads only membership, categories and their names.
 */
export function statAspects(type: StatType): Aspect[] {
  switch (type) {
    case "summary":
      return ["price", "stock"];
    case "byBrand":
      return ["brand"];
    case "byTopLevelCategory":
      return [];
    default: {
      const never: never = type;
      throw new Error(`Unknown statistic ${String(never)}`);
    }
  }
}
