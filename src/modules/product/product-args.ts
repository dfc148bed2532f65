import { BadUserInputError } from "../../errors";
import { cursorTagOf, decodeOpaqueCursor, encodeOpaqueCursor } from "../shared/cursor";
import type { ProductFilter, ProductOrder } from "../../generated/graphql";
import { sortOf, type ListingCursor, type ProductFilterInput } from "../../data/repositories/product-repository";

const MAX_FILTER_VALUES = 100;

/** A price as the database stores it (NUMERIC(12,2)): at most two decimals, not negative. */
export function parsePrice(value: number, field: string): string {
  if (!Number.isFinite(value) || value < 0) {
    throw new BadUserInputError(`${field} must be a price of 0 or more, got ${value}`, field);
  }
  const cents = Math.round(value * 100);
  if (Math.abs(cents - value * 100) > 1e-6) {
    throw new BadUserInputError(`${field} must have at most two decimals, got ${value}`, field);
  }
  if (cents >= 1e12) throw new BadUserInputError(`${field} must be below 10,000,000,000, got ${value}`, field);
  return (cents / 100).toFixed(2);
}

/** Validates a filter and normalises it (sorted lists, decimal strings) so equal filters hash equal. */
export function parseFilter(filter: ProductFilter | null | undefined, field = "filter"): ProductFilterInput {
  if (!filter) return {};
  const out: ProductFilterInput = {};
  if (filter.minPrice != null) out.minPrice = parsePrice(filter.minPrice, `${field}.minPrice`);
  if (filter.maxPrice != null) out.maxPrice = parsePrice(filter.maxPrice, `${field}.maxPrice`);
  if (out.minPrice !== undefined && out.maxPrice !== undefined && Number(out.minPrice) > Number(out.maxPrice)) {
    throw new BadUserInputError(
      `${field}.minPrice (${out.minPrice}) must not be above ${field}.maxPrice (${out.maxPrice})`,
      `${field}.minPrice`,
    );
  }
  if (filter.brands != null) {
    if (filter.brands.length > MAX_FILTER_VALUES) {
      throw new BadUserInputError(`${field}.brands takes at most ${MAX_FILTER_VALUES} brands`, `${field}.brands`);
    }
    out.brands = [...new Set(filter.brands)].sort();
  }
  if (filter.inStock != null) out.inStock = filter.inStock;
  if (filter.attributes != null) {
    out.attributes = filter.attributes
      .map((attribute, i) => {
        const at = `${field}.attributes[${i}]`;
        if (!/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(attribute.name)) {
          throw new BadUserInputError(`${at}.name must be an attribute name, got ${JSON.stringify(attribute.name)}`, `${at}.name`);
        }
        const values = attribute.values?.map((value) => {
          if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
            throw new BadUserInputError(`${at}.values must be strings, numbers or booleans, got ${JSON.stringify(value)}`, `${at}.values`);
          }
          return value;
        });
        if (attribute.min != null && attribute.max != null && attribute.min > attribute.max) {
          throw new BadUserInputError(`${at}.min (${attribute.min}) must not be above ${at}.max (${attribute.max})`, `${at}.min`);
        }
        if (!values?.length && attribute.min == null && attribute.max == null) {
          throw new BadUserInputError(`${at} needs values, min or max`, at);
        }
        return {
          name: attribute.name,
          ...(values?.length ? { values: [...values].sort() } : {}),
          ...(attribute.min != null ? { min: attribute.min } : {}),
          ...(attribute.max != null ? { max: attribute.max } : {}),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  return out;
}

// A cursor's sort value goes into SQL as a typed parameter; one of the wrong type is bad input.
function sortValueFits(order: ProductOrder, value: string | number): boolean {
  const { field } = sortOf(order);
  switch (field) {
    case "popularity":
      return Number.isSafeInteger(value);
    case "name":
      return typeof value === "string";
    case "price":
      return typeof value === "string" && /^\d{1,10}(\.\d{1,2})?$/.test(value);
    case "createdAt":
      return typeof value === "string" && !Number.isNaN(Date.parse(value));
    default: {
      const never: never = field;
      return never;
    }
  }
}

/** What a listing's cursors belong to: the same category, descendants, filter (normalised) and order. */
export interface ListingOwner {
  categoryId: number | null;
  includeDescendants: boolean;
  filter: ProductFilterInput;
  orderBy: ProductOrder;
}

/** An opaque cursor: the order, the sort value and the id of the row, and a tag of its listing; base64url JSON. */
export function encodeCursor(listing: ListingOwner, cursor: ListingCursor): string {
  return cursorEncoder(listing)(cursor);
}

/** `encodeCursor` of one listing, its tag (a SHA-1) computed once for all its rows. */
export function cursorEncoder(listing: ListingOwner): (cursor: ListingCursor) => string {
  const tag = listingTagOf(listing);
  return (cursor) => encodeOpaqueCursor([listing.orderBy, cursor.value, cursor.id, tag]);
}

/** Reads a cursor; a malformed one, or one of another listing (order, category, descendants, filter), is a BAD_USER_INPUT on `field`. */
export function decodeCursor(text: string | null | undefined, listing: ListingOwner, field = "after"): ListingCursor | null {
  if (text === null || text === undefined) return null;
  const { orderBy: order } = listing;
  const parsed = decodeOpaqueCursor(text, field, "a cursor returned by this listing");
  if (
    parsed.length !== 4 ||
    (typeof parsed[1] !== "string" && typeof parsed[1] !== "number") ||
    !Number.isSafeInteger(parsed[2])
  ) {
    throw new BadUserInputError(`${field} is not a cursor returned by this listing: ${JSON.stringify(text)}`, field);
  }
  if (parsed[0] !== order) {
    throw new BadUserInputError(`${field} belongs to the order ${String(parsed[0])}, not ${order}`, field);
  }
  if (parsed[3] !== listingTagOf(listing)) {
    throw new BadUserInputError(`${field} belongs to another listing (another category, includeDescendants or filter)`, field);
  }
  if (!sortValueFits(order, parsed[1])) {
    throw new BadUserInputError(`${field} holds a sort value that does not fit ${order}: ${JSON.stringify(text)}`, field);
  }
  return { value: parsed[1] as string | number, id: parsed[2] as number };
}

// The whole catalog lists the same rows whatever includeDescendants says.
function listingTagOf(listing: ListingOwner): string {
  return cursorTagOf([listing.categoryId, listing.categoryId === null || listing.includeDescendants, listing.filter, listing.orderBy]);
}
