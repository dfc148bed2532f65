import { FACET_FIELDS, priceRangeBounds, type FacetResult, type FacetRow } from "../../../data/search/facets";

/** Facets in FACET_FIELDS order; price ranges in price order, other values by count (then value). */
export function orderFacets(rows: readonly FacetRow[]): FacetResult[] {
  return FACET_FIELDS.map((field) => {
    const values = rows.filter((row) => row.field === field).map(({ value, count }) => ({ value, count }));
    if (field === "price") values.sort((a, b) => priceRangeBounds(a.value)!.min - priceRangeBounds(b.value)!.min);
    else values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    return { field, values };
  });
}
