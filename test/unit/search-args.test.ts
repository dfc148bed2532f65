import { fieldOf } from "../helpers/errors";
import { FACET_FIELDS, priceRangeBounds, priceRangeLabel, PRICE_BOUNDS } from "../../src/data/search/facets";
import { orderFacets } from "../../src/modules/search/ranking/facet-order";
import {
  decodeSearchCursor,
  encodeSearchCursor,
  pageOf,
  parseFacets,
  parseSearchQuery,
  parseSuggestionLimit,
  type SearchLimits,
} from "../../src/modules/search/search-args";

const limits: SearchLimits = { maxQueryLength: 256, defaultPageSize: 20, maxPageSize: 100, autocomplete: { defaultLimit: 10, maxLimit: 50 } };

describe("search arguments", () => {
  it("normalizes the query and refuses an empty or an overlong one", () => {
    expect(parseSearchQuery("  iPhone   7 ", limits)).toBe("iphone 7");
    expect(fieldOf(() => parseSearchQuery("   ", limits))).toBe("query");
    expect(fieldOf(() => parseSearchQuery("x".repeat(1000), limits))).toBe("query");
    expect(parseSearchQuery("x".repeat(256), limits)).toHaveLength(256);
    expect(fieldOf(() => parseSearchQuery("", limits, "prefix"))).toBe("prefix");
  });

  it("takes facet fields from the known list and names an unknown one", () => {
    expect([...parseFacets(undefined)]).toEqual([...FACET_FIELDS]);
    expect([...parseFacets(["brand", "brand", "price"])]).toEqual(["brand", "price"]);
    expect(parseFacets([]).size).toBe(0);
    expect(fieldOf(() => parseFacets(["brand", "colour"]))).toBe("facets[1]");
  });

  it("bounds the autocomplete limit", () => {
    expect(parseSuggestionLimit(undefined, limits)).toBe(10);
    expect(parseSuggestionLimit(50, limits)).toBe(50);
    expect(fieldOf(() => parseSuggestionLimit(0, limits))).toBe("limit");
    expect(fieldOf(() => parseSuggestionLimit(51, limits))).toBe("limit");
  });

  it("round-trips a cursor and refuses one of another search or a malformed one", () => {
    const cursor = encodeSearchCursor("hashA", [42, 0.25]);
    expect(decodeSearchCursor(cursor, "hashA")).toEqual({ score: 0.25, id: 42 });
    expect(decodeSearchCursor(null, "hashA")).toBeNull();
    expect(fieldOf(() => decodeSearchCursor(cursor, "hashB"))).toBe("after");
    expect(fieldOf(() => decodeSearchCursor("not-a-cursor", "hashA"))).toBe("after");
    expect(fieldOf(() => decodeSearchCursor(Buffer.from('["s","hashA","x",1]').toString("base64url"), "hashA"))).toBe("after");
  });

  it("pages by the last hit's (score, id), not by offset", () => {
    const entry = { hits: [[1, 0.9], [2, 0.5], [3, 0.5], [4, 0.1]] as [number, number][] };
    expect(pageOf(entry, null, 2)).toEqual({ hits: [[1, 0.9], [2, 0.5]], hasNextPage: true });
    expect(pageOf(entry, { score: 0.5, id: 2 }, 2)).toEqual({ hits: [[3, 0.5], [4, 0.1]], hasNextPage: false });
    // The ranking was recomputed without hit 2 (deleted): the next page still starts after it.
    const without2 = { hits: [[1, 0.9], [3, 0.5], [4, 0.1]] as [number, number][] };
    expect(pageOf(without2, { score: 0.5, id: 2 }, 2).hits).toEqual([[3, 0.5], [4, 0.1]]);
    expect(pageOf(entry, { score: 0.05, id: 9 }, 2)).toEqual({ hits: [], hasNextPage: false });
  });
});

describe("facets", () => {
  it("labels price ranges and reads their bounds back", () => {
    expect(priceRangeLabel(0)).toBe("0-25");
    expect(priceRangeLabel(PRICE_BOUNDS.length - 1)).toBe("2500+");
    expect(priceRangeBounds("25-50")).toEqual({ min: 25, max: 50 });
    expect(priceRangeBounds("2500+")).toEqual({ min: 2500, max: null });
    expect(priceRangeBounds("1-2")).toBeNull();
  });

  it("orders price ranges by price and other values by count, then value", () => {
    const facets = orderFacets([
      { field: "price", value: "2500+", count: 9 },
      { field: "price", value: "0-25", count: 1 },
      { field: "brand", value: "b", count: 2 },
      { field: "brand", value: "a", count: 2 },
      { field: "brand", value: "c", count: 5 },
    ]);
    expect(facets.map((facet) => facet.field)).toEqual([...FACET_FIELDS]);
    expect(facets.find((f) => f.field === "price")!.values.map((v) => v.value)).toEqual(["0-25", "2500+"]);
    expect(facets.find((f) => f.field === "brand")!.values.map((v) => v.value)).toEqual(["c", "a", "b"]);
  });
});
