/**
 * The facets a search counts over all its matches (not the page): the top-level category, the
 * category a product sits in, the brand, and fixed price ranges.
 */
export const FACET_FIELDS = ["category", "leafCategory", "brand", "price"] as const;

export type FacetField = (typeof FACET_FIELDS)[number];

export interface FacetCount {
  /** A category id, a brand, or a price range ("25-50", "2500+"). */
  value: string;
  count: number;
  /** True for a category value in (or above) the search's category intent. */
  intent?: boolean;
}

/** A facet value as the search statement counts it, before ordering (see `orderFacets`). */
export interface FacetRow {
  field: string;
  value: string;
  count: number;
}

export interface FacetResult {
  field: FacetField;
  values: FacetCount[];
}

/** Lower bounds of the price ranges, dollars: [0, 25), [25, 50), ... [2500, ∞). */
export const PRICE_BOUNDS = [0, 25, 50, 100, 250, 500, 1000, 2500] as const;

/** The range label of the bound at `index`: "25-50", or "2500+" for the last. */
export function priceRangeLabel(index: number): string {
  const low = PRICE_BOUNDS[index];
  const high = PRICE_BOUNDS[index + 1];
  return high === undefined ? `${low}+` : `${low}-${high}`;
}

/** The bounds of a price range label: min inclusive, max exclusive (null: unbounded). */
export function priceRangeBounds(label: string): { min: number; max: number | null } | null {
  const index = PRICE_BOUNDS.findIndex((_, i) => priceRangeLabel(i) === label);
  if (index < 0) return null;
  return { min: PRICE_BOUNDS[index], max: PRICE_BOUNDS[index + 1] ?? null };
}

/** SQL that labels `column` with its price range (one `width_bucket` lookup, not a comparison per bound). */
export function priceRangeSql(column: string): string {
  const labels = PRICE_BOUNDS.map((_, i) => `'${priceRangeLabel(i)}'`).join(", ");
  return `(ARRAY[${labels}])[width_bucket(${column}, ARRAY[${PRICE_BOUNDS.slice(1).join(", ")}]::numeric[]) + 1]`;
}
