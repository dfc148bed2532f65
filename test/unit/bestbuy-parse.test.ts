import { parseBestBuyCategories } from "../../src/data/import/bestbuy-categories";
import { deriveAttributes, extractSku, parseBestBuyProducts, priceText } from "../../src/data/import/bestbuy-products";

describe("extractSku", () => {
  it.each([
    ["https://cdn-demo.algolia.com/bestbuy-0118/4344800_sb.jpg", "4344800"],
    ["https://cdn-demo.algolia.com/bestbuy-0118/5477500_rb.jpg", "5477500"],
    ["https://cdn-demo.algolia.com/bestbuy-0118/6084400_100x100_sb.jpg", "6084400"],
    ["https://example.com/img/1234567890_sb.jpg?size=2", "1234567890"],
    ["4344800.jpg", "4344800"],
  ])("%s -> %s", (url, sku) => {
    expect(extractSku(url)).toBe(sku);
  });

  it.each([["https://example.com/photo_sb.jpg"], ["https://example.com/12ab_sb.jpg"], [""], [null], [42]])("%j has none", (url) => {
    expect(extractSku(url)).toBeNull();
  });
});

describe("deriveAttributes", () => {
  it("reads a trailing color segment, dropping the carrier in parentheses", () => {
    expect(deriveAttributes("Apple - iPhone 7 32GB - Rose gold (Sprint)")).toEqual({ color: "Rose Gold", storageGb: 32 });
    expect(deriveAttributes("Speck - CandyShell Case for Apple® iPhone® 6 - Pink/Red")).toEqual({ color: "Pink/Red" });
  });

  it("does not take the product part of a two-segment name, or a long non-color tail, as a color", () => {
    expect(deriveAttributes("Boost Mobile - $35 Re-Boost Prepaid Phone Card")).toEqual({});
    expect(deriveAttributes("Apple - AppleCare - Essentials Bundle for Apple® iPhone® 7")).toEqual({});
  });

  it("reads storage in GB, with decimals and terabytes", () => {
    expect(deriveAttributes("Simple Mobile - Huawei Sensa 4G LTE with 9.5GB Memory Prepaid Cell Phone - Gray").storageGb).toBe(9.5);
    expect(deriveAttributes("Brand - Phone with 1TB").storageGb).toBe(1024);
    expect(deriveAttributes("Brand - Phone 16 Gb - Black").storageGb).toBe(16);
  });
});

describe("priceText", () => {
  it("keeps two decimals and refuses what NUMERIC(12,2) >= 0 would not hold", () => {
    expect(priceText(49.99)).toBe("49.99");
    expect(priceText(1)).toBe("1.00");
    expect(priceText("899.9")).toBe("899.90");
    expect(priceText(-1)).toBeNull();
    expect(priceText(1.234)).toBeNull();
    expect(priceText(Number.NaN)).toBeNull();
    expect(priceText(null)).toBeNull();
  });
});

describe("parseBestBuyCategories", () => {
  const step = (id: string, name: string | null) => ({ id, name });
  const records = [
    // "root" and "mid" have no records of their own: they exist only in this path.
    { id: "leaf", name: "Leaf", path: [step("root", "Root"), step("mid", "Mid"), step("leaf", "Leaf")], subCategories: [] },
    { id: "other", name: "Other  Leaf", path: [step("root", "Root"), step("other", "Other  Leaf")], subCategories: [] },
    { id: "nameless", name: null, path: [step("root", "Root"), step("nameless", null)], subCategories: [] },
    { id: "child-of-nameless", name: "Orphan", path: [step("root", "Root"), step("nameless", null), step("child-of-nameless", "Orphan")] },
    { id: "bad", name: "Bad", path: [step("root", "Root"), step("x", "X")] },
  ];

  it("creates ancestors from paths, parents first, and rejects the nameless and their descendants", () => {
    const parsed = parseBestBuyCategories(records);
    expect(parsed.categories).toEqual([
      { externalId: "root", name: "Root", parentExternalId: null },
      { externalId: "mid", name: "Mid", parentExternalId: "root" },
      { externalId: "other", name: "Other Leaf", parentExternalId: "root" },
      { externalId: "leaf", name: "Leaf", parentExternalId: "mid" },
    ]);
    expect(parsed.fromPathsOnly).toBe(2);
    expect(parsed.rejections.map((r) => [r.key, r.reason])).toEqual([
      ["bad", "path does not end with the record's own id"],
      ["nameless", "name is missing"],
      ["child-of-nameless", "parent was rejected"],
    ]);
    expect(parsed.rejections[1].value).toContain("Root > (no name)");
  });

  it("lets a record's own name win over what other paths call it", () => {
    const parsed = parseBestBuyCategories([
      { id: "b", name: "B", path: [step("a", "Old A"), step("b", "B")] },
      { id: "a", name: "New A", path: [step("a", "New A")] },
    ]);
    expect(parsed.categories[0]).toEqual({ externalId: "a", name: "New A", parentExternalId: null });
  });

  it("rejects records whose parent chain loops", () => {
    const parsed = parseBestBuyCategories([
      { id: "a", name: "A", path: [step("b", "B"), step("a", "A")] },
      { id: "b", name: "B", path: [step("a", "A"), step("b", "B")] },
    ]);
    expect(parsed.categories).toEqual([]);
    expect(parsed.rejections.map((r) => r.reason)).toEqual(["parent chain loops", "parent chain loops"]);
  });

  it("states the rule when the file is not an array", () => {
    expect(() => parseBestBuyCategories({ id: 1 })).toThrow("A categories file must hold a JSON array of records, got object");
  });
});

describe("parseBestBuyProducts", () => {
  const product = (overrides: Record<string, unknown>) => ({
    name: "Samsung - Galaxy S7 32GB - Black",
    description: "A phone.",
    brand: "Samsung",
    categories: ["Cell Phones", "Unlocked Cell Phones"],
    price: 499.99,
    image: "https://cdn-demo.algolia.com/bestbuy-0118/4344800_sb.jpg",
    popularity: 100,
    ...overrides,
  });

  it("keys products by the SKU of their image and rejects what cannot be imported, with the reason", () => {
    const parsed = parseBestBuyProducts([
      product({}),
      product({ name: "Duplicate" }),
      product({ image: "https://x/7000001_sb.jpg", price: -5 }),
      product({ image: "https://x/none.jpg" }),
      product({ image: "https://x/7000002_sb.jpg", name: null }),
    ]);
    expect(parsed.products).toHaveLength(1);
    expect(parsed.products[0]).toMatchObject({
      sku: "4344800",
      price: "499.99",
      popularity: 100,
      attributes: { color: "Black", storageGb: 32 },
      categoryPath: ["Cell Phones", "Unlocked Cell Phones"],
    });
    expect(parsed.rejections.map((r) => [r.key, r.reason])).toEqual([
      ["4344800", "SKU is a duplicate"],
      ["7000001", "price is not a non-negative amount with at most two decimals"],
      ["#3", "image file name has no SKU number"],
      ["7000002", "name is missing"],
    ]);
    expect(parsed.rejections[1].value).toBe("-5");
  });
});
