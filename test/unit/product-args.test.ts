import { fieldOf } from "../helpers/errors";
import { decodeCursor, encodeCursor, parseFilter, parsePrice, type ListingOwner } from "../../src/modules/product/product-args";
import type { ProductOrder } from "../../src/generated/graphql";
import { parseFirst, parseId } from "../../src/modules/shared/args";

describe("argument parsing", () => {
  it("parses ids and rejects anything but a positive integer", () => {
    expect(parseId("42", "id")).toBe(42);
    for (const bad of ["0", "-1", "1.5", "abc", "99999999999", ""]) expect(fieldOf(() => parseId(bad, "id"))).toBe("id");
  });

  it("bounds first", () => {
    const limits = { defaultPageSize: 20, maxPageSize: 100 };
    expect(parseFirst(undefined, limits)).toBe(20);
    expect(parseFirst(0, limits)).toBe(0);
    expect(parseFirst(100, limits)).toBe(100);
    expect(fieldOf(() => parseFirst(101, limits))).toBe("first");
    expect(fieldOf(() => parseFirst(-1, limits))).toBe("first");
  });

  it("keeps prices to two decimals", () => {
    expect(parsePrice(19.99, "p")).toBe("19.99");
    expect(parsePrice(0.1 + 0.2, "p")).toBe("0.30");
    expect(fieldOf(() => parsePrice(1.005, "p"))).toBe("p");
    expect(fieldOf(() => parsePrice(-1, "p"))).toBe("p");
  });

  it("normalises equal filters to equal values", () => {
    expect(parseFilter({ brands: ["b", "a", "b"], minPrice: 1 })).toEqual(parseFilter({ minPrice: 1.0, brands: ["a", "b"] }));
    expect(fieldOf(() => parseFilter({ minPrice: 5, maxPrice: 4 }))).toBe("filter.minPrice");
    expect(fieldOf(() => parseFilter({ attributes: [{ name: "color" }] }))).toBe("filter.attributes[0]");
    expect(fieldOf(() => parseFilter({ attributes: [{ name: "bad name", values: ["x"] }] }))).toBe("filter.attributes[0].name");
  });

  it("round-trips cursors and rejects foreign or malformed ones", () => {
    const listing = (orderBy: ProductOrder, more: Partial<ListingOwner> = {}): ListingOwner => ({ categoryId: 3, includeDescendants: true, filter: {}, orderBy, ...more });
    const cursor = encodeCursor(listing("PRICE_ASC"), { value: "9.99", id: 7 });
    expect(decodeCursor(cursor, listing("PRICE_ASC"))).toEqual({ value: "9.99", id: 7 });
    expect(fieldOf(() => decodeCursor(cursor, listing("NAME_ASC")))).toBe("after");
    expect(fieldOf(() => decodeCursor("garbage", listing("NAME_ASC")))).toBe("after");
    expect(fieldOf(() => decodeCursor(Buffer.from('["PRICE_ASC",1,"x"]').toString("base64url"), listing("PRICE_ASC")))).toBe("after");
  });

  it("binds a cursor to its listing: category, descendants and filter", () => {
    const own: ListingOwner = { categoryId: 3, includeDescendants: true, filter: parseFilter({ brands: ["a"] }), orderBy: "NAME_ASC" };
    const cursor = encodeCursor(own, { value: "x", id: 7 });
    expect(decodeCursor(cursor, { ...own, filter: parseFilter({ brands: ["a"] }) })).toEqual({ value: "x", id: 7 });
    expect(fieldOf(() => decodeCursor(cursor, { ...own, categoryId: null }))).toBe("after");
    expect(fieldOf(() => decodeCursor(cursor, { ...own, categoryId: 4 }))).toBe("after");
    expect(fieldOf(() => decodeCursor(cursor, { ...own, includeDescendants: false }))).toBe("after");
    expect(fieldOf(() => decodeCursor(cursor, { ...own, filter: {} }))).toBe("after");
  });
});
