import { createSlugAllocator, FALLBACK_SLUG, MAX_SLUG_LENGTH, slugify } from "../../src/data/import/slug";

const SLUG_RULE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

describe("slugify", () => {
  it.each([
    ["Unlocked Cell Phones", "unlocked-cell-phones"],
    ["TV & Home Theater", "tv-and-home-theater"],
    ["Health, Fitness & Beauty", "health-fitness-and-beauty"],
    ["Crème Brûlée Café", "creme-brulee-cafe"],
    ["Straße Ærø", "strasse-aero"],
    ["Insignia™ Accessories®", "insignia-accessories"],
    ["Don't Miss", "dont-miss"],
    ["Samsung Galaxy S7+", "samsung-galaxy-s7-plus"],
    ["  Home  Monitoring & Control ", "home-monitoring-and-control"],
    ['65" 4K TVs', "65-4k-tvs"],
    ["Mobile Activation Fees ¿ ATT", "mobile-activation-fees-att"],
  ])("%j -> %j", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it("falls back to a fixed slug when nothing readable is left", () => {
    expect(slugify("™ & ?")).toBe("and");
    expect(slugify("™ ?!")).toBe(FALLBACK_SLUG);
  });

  it("cuts long names at a word boundary and always matches the schema's rule", () => {
    const slug = slugify("Don¿t have a BestBuy.com account? A BestBuy.com account is required to download digital videos and digital PC games.");
    expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(slug).toMatch(SLUG_RULE);
    expect(slug.endsWith("-")).toBe(false);
  });
});

describe("createSlugAllocator", () => {
  it("prefixes the parent's slug on a clash, then adds a number", () => {
    const allocator = createSlugAllocator(["accessories"]);
    expect(allocator.allocate("Accessories", "prepaid-phones")).toBe("prepaid-phones-accessories");
    expect(allocator.allocate("Accessories", "prepaid-phones")).toBe("prepaid-phones-accessories-2");
    expect(allocator.allocate("Accessories", "prepaid-phones")).toBe("prepaid-phones-accessories-3");
  });

  it("adds a number to a clashing root, which has no parent to prefix", () => {
    const allocator = createSlugAllocator([]);
    expect(allocator.allocate("Audio", null)).toBe("audio");
    expect(allocator.allocate("Audio", null)).toBe("audio-2");
  });
});
