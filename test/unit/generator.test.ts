import { createHash } from "node:crypto";
import { applicableDefinitions } from "../../src/data/attribute-inheritance";
import { attributeProblems, type AttributeDefinition } from "../../src/data/import/attribute-validation";
import type { CatalogInput } from "../../src/data/import/catalog-input";
import { EXAMPLE_SKU, generateCatalog } from "../../src/data/seed/generator";
import { createRandom } from "../../src/data/seed/prng";
import { LEAF_DEPTHS } from "../../src/data/seed/tree-shape";
import { DEPARTMENTS } from "../../src/data/seed/vocabulary";

const digest = (catalog: CatalogInput) => createHash("sha256").update(JSON.stringify(catalog)).digest("hex");

// Depth of each category (root = 0) and the external ids from the root down, read off the parent links.
function ancestry(catalog: CatalogInput): Map<string, string[]> {
  const parentOf = new Map(catalog.categories.map((c) => [c.externalId, c.parentExternalId]));
  const chains = new Map<string, string[]>();
  for (const { externalId } of catalog.categories) {
    const chain: string[] = [];
    for (let at: string | null = externalId; at !== null; at = parentOf.get(at)!) chain.unshift(at);
    chains.set(externalId, chain);
  }
  return chains;
}

describe("createRandom", () => {
  it("repeats for a seed and differs across seeds and labels", () => {
    const draw = (random: ReturnType<typeof createRandom>) => Array.from({ length: 5 }, () => random.next());
    expect(draw(createRandom(7))).toEqual(draw(createRandom(7)));
    expect(draw(createRandom(7))).not.toEqual(draw(createRandom(8)));
    expect(draw(createRandom(7, "a"))).not.toEqual(draw(createRandom(7, "b")));
  });
});

describe("generateCatalog", () => {
  const catalog = generateCatalog({ products: 3000, categories: 150, seed: 42 });
  const chains = ancestry(catalog);

  it("is deterministic: the same options give the same catalog, another seed another one", () => {
    expect(digest(generateCatalog({ products: 3000, categories: 150, seed: 42 }))).toBe(digest(catalog));
    expect(digest(generateCatalog({ products: 3000, categories: 150, seed: 43 }))).not.toBe(digest(catalog));
  });

  it("extends rather than reshuffles: a bigger catalog of the same seed starts with the smaller one's products", () => {
    const bigger = generateCatalog({ products: 3500, categories: 150, seed: 42 });
    expect(bigger.products.slice(0, 3000)).toEqual(catalog.products);
  });

  it("has the requested counts, unique SKUs and external ids", () => {
    expect(catalog.categories).toHaveLength(150);
    expect(catalog.products).toHaveLength(3000);
    expect(new Set(catalog.products.map((p) => p.sku)).size).toBe(3000);
    expect(new Set(catalog.categories.map((c) => c.externalId)).size).toBe(150);
  });

  it("puts every leaf at depth 4, 5 or 6, with some at each", () => {
    const parents = new Set(catalog.categories.map((c) => c.parentExternalId));
    const leafDepths = catalog.categories.filter((c) => !parents.has(c.externalId)).map((c) => chains.get(c.externalId)!.length - 1);
    expect(new Set(leafDepths)).toEqual(new Set(LEAF_DEPTHS));
  });

  it.each([1, 5, 9, 10, 20, 31])("builds a tree of %i categories whose leaves are as deep as its size allows", (count) => {
    const small = generateCatalog({ products: 10, categories: count, seed: 3 });
    expect(small.categories).toHaveLength(count);
    const parents = new Set(small.categories.map((c) => c.parentExternalId));
    const depths = ancestry(small);
    for (const leaf of small.categories.filter((c) => !parents.has(c.externalId))) {
      const depth = depths.get(leaf.externalId)!.length - 1;
      if (count >= 9) expect(LEAF_DEPTHS).toContain(depth);
      else expect(depth).toBeLessThanOrEqual(6);
    }
  });

  it("places products in leaves and inner categories", () => {
    const parents = new Set(catalog.categories.map((c) => c.parentExternalId));
    const inLeaves = catalog.products.filter((p) => !parents.has(p.categoryExternalId)).length;
    expect(inLeaves).toBeGreaterThan(catalog.products.length / 2);
    expect(inLeaves).toBeLessThan(catalog.products.length);
  });

  it("gives products attributes valid against the definitions of their category and its ancestors", () => {
    const byCategory = new Map<string, AttributeDefinition[]>();
    for (const { categoryExternalId, ...definition } of catalog.attributeDefinitions) {
      byCategory.set(categoryExternalId, [...(byCategory.get(categoryExternalId) ?? []), definition]);
    }
    const roots = catalog.categories.filter((c) => c.parentExternalId === null).map((c) => c.externalId);
    expect(roots.every((root) => byCategory.get(root)?.some((d) => d.name === "color"))).toBe(true);
    const problems = catalog.products.flatMap((p) =>
      attributeProblems(p.attributes, applicableDefinitions(chains.get(p.categoryExternalId)!, byCategory)),
    );
    expect(problems).toEqual([]);
    expect(catalog.products.filter((p) => Object.keys(p.attributes).length > 1).length).toBeGreaterThan(1000);
  });

  it("looks like a store: brand - line model ... names, the vocabulary's brands, prices with two decimals", () => {
    // With all twelve departments every department's brands sell something; a group's own brands
    // (accessory makers) sell where that group has categories.
    const departmentBrands = new Set(DEPARTMENTS.flatMap((d) => Object.keys(d.brands)));
    const groupBrands = DEPARTMENTS.flatMap((d) => d.groups.flatMap((g) => Object.keys(g.brands ?? {})));
    const sold = new Set(generateCatalog({ products: 20_000, categories: 2000, seed: 1 }).products.map((p) => p.brand));
    expect(departmentBrands.size).toBeGreaterThan(90);
    expect([...departmentBrands].filter((brand) => !sold.has(brand))).toEqual([]);
    expect([...sold].filter((brand) => !departmentBrands.has(brand) && !groupBrands.includes(brand))).toEqual([]);
    for (const product of catalog.products.slice(0, 200)) {
      expect(product.name.startsWith(`${product.brand} - `)).toBe(true);
      expect(product.price).toMatch(/^\d+\.\d\d$/);
      expect(Number(product.price)).toBeGreaterThan(0);
    }
    expect(catalog.products[0].sku).toBe(EXAMPLE_SKU);
    expect(catalog.products.slice(1).every((p) => /^\d{8}$/.test(p.sku))).toBe(true);
    const popularity = catalog.products.map((p) => p.popularity).sort((a, b) => a - b);
    // Skewed: the most popular product is far above the median one.
    expect(popularity[popularity.length - 1]).toBeGreaterThan(20 * popularity[popularity.length >> 1]);
  });

  it("has what the README's examples ask for in the default catalog: Cell Phones, Samsung storage, iPhone 7 cases", () => {
    const store = generateCatalog({ products: 5000, categories: 200 });
    const [first] = store.categories;
    expect(first).toMatchObject({ name: "Cell Phones", parentExternalId: null });
    const groups = store.categories.filter((c) => c.parentExternalId === first.externalId).map((c) => c.name);
    expect(groups.slice(0, 2)).toEqual(["Smartphones", "Phone Cases"]);
    expect(store.products.some((p) => p.brand === "Samsung" && Number(p.attributes.storageGb) >= 32)).toBe(true);
    const iphone7Cases = store.products.filter((p) => / Case for iPhone 7\b/.test(p.name));
    expect(iphone7Cases.filter((p) => !p.name.includes("Clear")).length).toBeGreaterThan(10);
    expect(iphone7Cases.some((p) => p.name.includes("Clear"))).toBe(true);
  });

  it("states the rule when a count is not usable", () => {
    expect(() => generateCatalog({ products: -1, categories: 10 })).toThrow("products must be a whole number >= 0, got -1");
    expect(() => generateCatalog({ products: 1, categories: 0 })).toThrow("categories must be a whole number >= 1, got 0");
  });
});
