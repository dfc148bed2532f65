import { argsHashLength, createKeys, defaultKeyPrefix, families, hashArgs, type KeyKind } from "../../src/cache/keys";

describe("cache keys", () => {
  const keys = createKeys();

  it("spells every family of the key table under the default prefix", () => {
    expect(defaultKeyPrefix).toBe("cg:v1:");
    expect(keys.categoryKey(7)).toBe("cg:v1:{cat:7}");
    expect(keys.categorySlugKey("tv-audio")).toBe("cg:v1:{cat:slug:tv-audio}");
    expect(keys.categoryTreeKey()).toBe("cg:v1:{cat:tree}");
    expect(keys.categoryChildrenKey(7)).toBe("cg:v1:{cat:7:children}");
    expect(keys.categoryAttributesKey(7)).toBe("cg:v1:{attrs:cat:7}");
    expect(keys.productKey(42)).toBe("cg:v1:{prod:42}");
    expect(keys.productSkuKey("AB-12")).toBe("cg:v1:{prod:sku:AB-12}");
    expect(keys.productListKey(7, "h4sh")).toBe("cg:v1:{prods:cat:7:h4sh}");
    expect(keys.productListKey(null, "h4sh")).toBe("cg:v1:{prods:cat:all:h4sh}");
    expect(keys.searchKey("h4sh")).toBe("cg:v1:{search:h4sh}");
    expect(keys.statsKey("price")).toBe("cg:v1:{stats:price}");
  });

  it("builds generation counter keys", () => {
    expect(keys.generationKey("prods:cat", 7)).toBe("cg:v1:{gen:prods:cat:7}");
    expect(keys.generationKey("prods:cat", null)).toBe("cg:v1:{gen:prods:cat:all}");
    expect(keys.generationKey("search")).toBe("cg:v1:{gen:search}");
    expect(keys.generationKey("stats")).toBe("cg:v1:{gen:stats}");
    expect(keys.generationKey("prods:cat", 7, "price")).toBe("cg:v1:{gen:prods:cat:7:price}");
    expect(keys.generationKey("prods:cat", null, "name")).toBe("cg:v1:{gen:prods:cat:all:name}");
    expect(keys.generationKey("search", undefined, "priceBand")).toBe("cg:v1:{gen:search:priceBand}");
    expect(() => keys.generationKey("stats", undefined, "color" as never)).toThrow(/aspect must be one of .*"color"/);
  });

  it("applies a custom prefix to every key", () => {
    const other = createKeys("test:v9:");
    expect(other.prefix).toBe("test:v9:");
    const built = [
      other.categoryKey(1),
      other.categorySlugKey("s"),
      other.categoryTreeKey(),
      other.categoryChildrenKey(1),
      other.categoryAttributesKey(1),
      other.productKey(1),
      other.productSkuKey("x"),
      other.productListKey(1, "h"),
      other.searchKey("h"),
      other.statsKey("t"),
      other.generationKey("search"),
    ];
    for (const key of built) expect(key.startsWith("test:v9:")).toBe(true);
    expect(other.familyOf(keys.productKey(1))).toBeNull();
  });

  it("canonicalises ids, so one row has one key, and rejects ids that are not integers", () => {
    expect(keys.productKey("42")).toBe(keys.productKey(42));
    expect(keys.productKey("007")).toBe(keys.productKey(7));
    expect(() => keys.categoryKey("tree")).toThrow('A cache key id must be an integer, got "tree"');
    expect(() => keys.productListKey("all", "h")).toThrow(/got "all"/);
    expect(() => keys.productKey("1:children")).toThrow(TypeError);
    expect(() => keys.productKey(1.5)).toThrow(/got 1.5/);
    expect(() => keys.productKey("99999999999999999")).toThrow(TypeError);
  });

  it("encodes odd SKUs so that no SKU can spell another key", () => {
    expect(keys.productSkuKey("a:b")).toBe("cg:v1:{prod:sku:a%3Ab}");
    expect(keys.productSkuKey("x#lease")).toBe("cg:v1:{prod:sku:x%23lease}");
    expect(keys.productSkuKey("with space/ü")).toBe("cg:v1:{prod:sku:with%20space%2F%C3%BC}");
    expect(keys.productSkuKey("")).toBe("cg:v1:{prod:sku:}");
    expect(keys.productSkuKey("%3A")).toBe("cg:v1:{prod:sku:%253A}");
    // encodeURIComponent throws on a lone surrogate; the key is still built and distinct.
    expect(keys.productSkuKey("a\uD800")).toBe("cg:v1:{prod:sku:a%uD800}");
    expect(keys.productSkuKey("a\uFFFD")).not.toBe(keys.productSkuKey("a\uD800"));
    const skus = ["a:b", "a%3Ab", "a b", "a+b", "a/b", "A:B", "a\nb", "😀", "a\uDC00"];
    const built = skus.map((sku) => keys.productSkuKey(sku));
    expect(new Set(built).size).toBe(skus.length);
    for (const key of built) expect(key.slice(defaultKeyPrefix.length).split(":")).toHaveLength(3);
  });

  it("maps every built key back to its family", () => {
    const cases: [string, KeyKind][] = [
      [keys.categoryKey(7), "cat"],
      [keys.categorySlugKey("tv:audio"), "cat:slug"],
      [keys.categorySlugKey("children"), "cat:slug"],
      [keys.categoryTreeKey(), "cat:tree"],
      [keys.categoryChildrenKey(7), "cat:children"],
      [keys.categoryAttributesKey(7), "attrs:cat"],
      [keys.productKey(7), "prod"],
      [keys.productSkuKey("odd:sku"), "prod:sku"],
      [keys.productSkuKey(""), "prod:sku"],
      [keys.productListKey(7, hashArgs({ first: 10 })), "prods:cat"],
      [keys.productListKey(null, "h"), "prods:cat"],
      [keys.searchKey(hashArgs({ q: "tv" })), "search"],
      [keys.statsKey("per brand"), "stats"],
      [keys.responseKey("AbC_-9"), "resp"],
      [keys.generationKey("prods:cat", 7), "gen"],
      [keys.generationKey("stats"), "gen"],
    ];
    for (const [key, family] of cases) expect([key, keys.familyOf(key)]).toEqual([key, family]);
    expect(new Set(cases.map(([, family]) => family))).toEqual(new Set([...families, "gen"]));
    expect(keys.familyOf("cg:v1:unknown:1")).toBeNull();
    expect(keys.familyOf("elsewhere:prod:1")).toBeNull();
    expect(keys.familyOf("cg:v1:prod:1")).toBeNull(); // the shape before hash tags
  });

  it("puts each key in a hash tag of its own, and responses with their shard's counters", () => {
    expect(keys.unwrap(keys.productKey(7))).toBe("prod:7");
    expect(keys.unwrap(keys.generationKey("prods:cat", 7, "price"))).toBe("gen:prods:cat:7:price");
    expect(keys.responseKey("h4sh")).toBe("cg:v1:{resp:0}:h4sh");
    expect(keys.responseVersionKey("=prod:7", 0)).toBe("cg:v1:{resp:0}:v:=prod:7");
    const sharded = createKeys("cg:v1:", { responseShards: 8 });
    const shards = new Set(Array.from({ length: 200 }, (_, i) => sharded.responseShardOf(sharded.responseKey(hashArgs({ i })))));
    expect(shards).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
    expect(sharded.familyOf(sharded.responseVersionKey("prod#3", 5))).toBe("gen");
    expect(() => createKeys("cg:{x}:")).toThrow(/must not contain/);
  });

  describe("hashArgs", () => {
    it("is short, url-safe and deterministic", () => {
      const hash = hashArgs({ categoryId: 7, first: 20 });
      expect(hash).toHaveLength(argsHashLength);
      expect(hash).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(hashArgs({ categoryId: 7, first: 20 })).toBe(hash);
    });

    it("does not depend on the order of object keys, at any depth", () => {
      const a = { filter: { minPrice: 1, brands: ["x", "y"], attrs: { color: "red", size: "L" } }, first: 20, orderBy: "PRICE" };
      const b = { orderBy: "PRICE", first: 20, filter: { attrs: { size: "L", color: "red" }, brands: ["x", "y"], minPrice: 1 } };
      expect(hashArgs(a)).toBe(hashArgs(b));
    });

    it("tells apart what differs, including array order and types", () => {
      const seen = [
        hashArgs({ brands: ["x", "y"] }),
        hashArgs({ brands: ["y", "x"] }),
        hashArgs({ first: 20 }),
        hashArgs({ first: "20" }),
        hashArgs({ first: 21 }),
        hashArgs({ after: null }),
        hashArgs({}),
        hashArgs(null),
        hashArgs([]),
      ];
      expect(new Set(seen).size).toBe(seen.length);
    });

    it("drops undefined properties as JSON does, and rejects a bigint", () => {
      expect(hashArgs({ first: 20, after: undefined })).toBe(hashArgs({ first: 20 }));
      expect(hashArgs({ at: new Date(0) })).toBe(hashArgs({ at: "1970-01-01T00:00:00.000Z" }));
      expect(() => hashArgs({ n: 1n })).toThrow("hashArgs cannot hash a bigint, got 1n");
    });
  });
});
