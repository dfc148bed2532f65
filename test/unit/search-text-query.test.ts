import { exactForms, normalizeQuery, planTextQuery, prefixTsQuery } from "../../src/data/search/text-query";

describe("search query reading", () => {
  it("normalizes case, outer and inner whitespace, so equal searches share a cache key", () => {
    expect(normalizeQuery("  Samsung \t Galaxy\nS8  ")).toBe("samsung galaxy s8");
    expect(normalizeQuery("Cafe\u0301")).toBe(normalizeQuery("Café"));
  });

  it("matches the last plain word as a prefix", () => {
    expect(planTextQuery("samsu").prefixWord).toBe("samsu");
    expect(planTextQuery("iphone 7 cas").prefixWord).toBe("cas");
    expect(planTextQuery('"iphone 7" case').prefixWord).toBe("case");
  });

  it("does not turn a closed phrase, an open phrase, an exclusion or `or` into a prefix", () => {
    expect(planTextQuery('case "iphone 7"').prefixWord).toBeNull();
    expect(planTextQuery('case "iphone 7').prefixWord).toBeNull();
    expect(planTextQuery("iphone -case").prefixWord).toBeNull();
    expect(planTextQuery("samsung or").prefixWord).toBeNull();
    expect(planTextQuery("iphone 7!").prefixWord).toBeNull();
  });

  it("treats a single token of letters, digits, dots, dashes and underscores as a possible SKU", () => {
    expect(planTextQuery("4344800").sku).toBe("4344800");
    expect(planTextQuery("ab-12.x_9").sku).toBe("ab-12.x_9");
    expect(planTextQuery("iphone 7").sku).toBeNull();
    expect(planTextQuery("x".repeat(65)).sku).toBeNull();
  });

  it("builds autocomplete prefix queries from words only, so nothing reads as an operator", () => {
    expect(prefixTsQuery("Samsung  Gal")).toBe("'samsung':* & 'gal':*");
    expect(prefixTsQuery("o'neil & !x")).toBe("'o':* & 'neil':* & 'x':*");
    expect(prefixTsQuery(" -!& ")).toBeNull();
  });
});

describe("the exact forms of a typed word", () => {
  it("adds the regular plural or singular, not what the stemmer also merges", () => {
    expect(exactForms("case")).toEqual(["case", "cases"]);
    expect(exactForms("cases")).toEqual(["cases", "case"]);
    expect(exactForms("glass")).toEqual(["glass", "glasses"]);
    expect(exactForms("watches")).toEqual(["watches", "watch"]);
    expect(exactForms("bus")).toEqual(["bus", "buses"]);
    expect(exactForms("international")).toEqual(["international", "internationals"]);
    expect(exactForms("iphone7")).toEqual(["iphone7"]);
    expect(exactForms("7")).toEqual(["7"]);
  });
});

describe("what the vector side sees of a query", () => {
  it("embeds the wanted words only and carries exclusions as a websearch query", () => {
    expect(planTextQuery('iphone 7 case -otterbox -"belt clip"')).toMatchObject({ vectorText: "iphone 7 case", exclusions: 'otterbox or "belt clip"' });
    expect(planTextQuery('"screen protector" or glass')).toMatchObject({ vectorText: "screen protector glass", exclusions: null });
    expect(planTextQuery("wi-fi -case").vectorText).toBe("wi-fi");
    expect(planTextQuery("-case").vectorText).toBe("");
  });
});
