import { footprintOperations, mergeFootprints, type Footprint } from "../../src/cache/invalidation";
import { createKeys } from "../../src/cache/keys";
import { footprintTags, responseTags } from "../../src/cache/tags";
import {
  categoryAttributesFootprint,
  categoryCreateFootprint,
  categoryDeleteFootprint,
  categoryMoveFootprint,
  categoryRenameFootprint,
  categorySlugFootprint,
  productImportFootprint,
  productFieldsFootprint,
  productUpdateFootprint,
  productWriteFootprint,
  type ProductFacts,
} from "../../src/modules/shared/footprints";
import { listingAspects, searchAspects, statAspects } from "../../src/loaders/aspects";
import { Prisma } from "../../src/generated/prisma/client";

// The tree every case refers to (ids and materialized paths):
//   1 phones        /1/
//   ├─ 2 android    /1/2/
//   │  └─ 5 pixel   /1/2/5/
//   │     └─ 6 pro  /1/2/5/6/
//   └─ 3 iphone     /1/3/
//   4 audio         /4/
//   └─ 7 headsets   /4/7/
const android = { id: 2, slug: "android", parentId: 1, path: "/1/2/" };
const pixel = { id: 5, slug: "pixel", parentId: 2, path: "/1/2/5/" };
const audio = { id: 4, path: "/4/" };
const headsets = { id: 7, path: "/4/7/" };

// Exactly the Redis operations a footprint names (sorted, without the prefix): the keys it
// deletes and the generation counters it increments. Everything not listed stays cached.
function operations(footprint: Footprint): { del: string[]; incr: string[] } {
  const keys = createKeys("t:");
  const { del, incr } = footprintOperations(keys, footprint);
  const bare = (list: string[]) => list.map((key) => keys.unwrap(key)).sort();
  return { del: bare(del), incr: bare(incr) };
}

describe("product footprints", () => {
  it("createProduct: the row, its SKU, its category chain's listings, the catalog listing, searches, stats", () => {
    expect(operations(productWriteFootprint(42, ["PX-9"], [pixel.path]))).toEqual({
      del: ["prod:42", "prod:sku:PX-9"],
      incr: ["gen:prods:cat:1", "gen:prods:cat:2", "gen:prods:cat:5", "gen:prods:cat:all", "gen:search", "gen:stats"],
    });
  });

  it("updateProduct: old and new SKU, old and new category chains (each ancestor once)", () => {
    const footprint = productWriteFootprint(42, ["PX-9", "PX-10"], [pixel.path, "/1/3/"]);
    expect(footprint.productSkus).toEqual(["PX-9", "PX-10"]);
    expect(footprint.listingsOf).toEqual([1, 2, 5, 3]);
    expect(operations(footprint)).toEqual({
      del: ["prod:42", "prod:sku:PX-10", "prod:sku:PX-9"],
      incr: [
        "gen:prods:cat:1",
        "gen:prods:cat:2",
        "gen:prods:cat:3",
        "gen:prods:cat:5",
        "gen:prods:cat:all",
        "gen:search",
        "gen:stats",
      ],
    });
  });

  it("updateProduct that keeps SKU and category names them once", () => {
    const footprint = productWriteFootprint(42, ["PX-9", "PX-9"], [pixel.path, pixel.path]);
    expect(footprint).toEqual({
      products: [42],
      productSkus: ["PX-9"],
      listingsOf: [1, 2, 5],
      catalogListing: true,
      search: true,
      stats: true,
    });
  });

  it("deleteProduct: the same families as a create, for the product's last state", () => {
    expect(productWriteFootprint(42, ["PX-9"], [headsets.path])).toEqual({
      products: [42],
      productSkus: ["PX-9"],
      listingsOf: [4, 7],
      catalogListing: true,
      search: true,
      stats: true,
    });
  });

  it("importProducts: every written product's row and SKU, new and previous category chains, once", () => {
    const footprint = productImportFootprint([
      { id: 42, sku: "PX-9", categoryPath: pixel.path, previousCategoryPath: "/1/3/" },
      { id: 43, sku: "HS-1", categoryPath: headsets.path, previousCategoryPath: null },
      { id: 44, sku: "PX-8", categoryPath: pixel.path, previousCategoryPath: pixel.path },
    ]);
    expect(footprint).toEqual({
      products: [42, 43, 44],
      productSkus: ["PX-9", "HS-1", "PX-8"],
      listingsOf: [1, 2, 5, 3, 4, 7],
      catalogListing: true,
      search: true,
      stats: true,
    });
  });

  it("importProducts names what the single writes name, merged", () => {
    const imported = productImportFootprint([
      { id: 42, sku: "PX-9", categoryPath: pixel.path, previousCategoryPath: "/1/3/" },
      { id: 43, sku: "HS-1", categoryPath: headsets.path, previousCategoryPath: null },
    ]);
    const single = mergeFootprints([
      productWriteFootprint(42, ["PX-9"], [pixel.path, "/1/3/"]),
      productWriteFootprint(43, ["HS-1"], [headsets.path]),
    ]);
    expect(operations(imported)).toEqual(operations(single));
  });

  it("importProducts that writes nothing has an empty footprint", () => {
    expect(productImportFootprint([])).toEqual({});
  });
});

describe("category footprints", () => {
  it("createCategory: the row, its slug, its parent's children, the tree, stats; no listing or inherited set", () => {
    expect(operations(categoryCreateFootprint({ id: 8, slug: "foldables", parentId: 1 }))).toEqual({
      del: ["cat:1:children", "cat:8", "cat:slug:foldables", "cat:tree"],
      incr: ["gen:stats"],
    });
  });

  it("createCategory at the top level clears the top-level children list", () => {
    expect(operations(categoryCreateFootprint({ id: 8, slug: "tvs", parentId: null })).del).toEqual([
      "cat:0:children",
      "cat:8",
      "cat:slug:tvs",
      "cat:tree",
    ]);
  });

  it("rename: the row, the parent's children (sorted by name), the tree, searches, stats; not the descendants", () => {
    expect(operations(categoryRenameFootprint(android))).toEqual({
      del: ["cat:1:children", "cat:2", "cat:tree"],
      incr: ["gen:search", "gen:stats"],
    });
  });

  it("slug change: the row, the old and new slug lookups, and the tree (it holds every slug)", () => {
    expect(operations(categorySlugFootprint(2, "android", "google-android"))).toEqual({
      del: ["cat:2", "cat:slug:android", "cat:slug:google-android", "cat:tree"],
      incr: [],
    });
  });

  it("attribute change: one generation retiring the inherited sets of the category's subtree", () => {
    expect(operations(categoryAttributesFootprint(2))).toEqual({ del: [], incr: ["gen:attrs:cat:2"] });
  });

  it("move: subtree rows, both parents' children, the tree, old ancestors' and new chain's listings, inherited sets, searches, stats", () => {
    // pixel (5, with 6 below) moves from android (/1/2/) to headsets (/4/7/).
    const footprint = categoryMoveFootprint({ category: pixel, to: headsets, subtree: [5, 6] });
    expect(footprint.listingsOf).toEqual([1, 2, 4, 7]);
    expect(operations(footprint)).toEqual({
      del: ["cat:2:children", "cat:5", "cat:6", "cat:7:children", "cat:tree"],
      incr: [
        "gen:attrs:cat:5",
        "gen:prods:cat:1",
        "gen:prods:cat:2",
        "gen:prods:cat:4",
        "gen:prods:cat:7",
        "gen:search",
        "gen:stats",
      ],
    });
  });

  it("move to the top level: the top-level children list, and only the old ancestors' listings", () => {
    const footprint = categoryMoveFootprint({ category: pixel, to: null, subtree: [5, 6] });
    expect(footprint.childrenOf).toEqual([2, null]);
    expect(footprint.listingsOf).toEqual([1, 2]);
    expect(operations(footprint).del).toEqual(["cat:0:children", "cat:2:children", "cat:5", "cat:6", "cat:tree"]);
  });

  it("move leaves the moved subtree's own listings alone (they keep the same products)", () => {
    const { listingsOf } = categoryMoveFootprint({ category: pixel, to: audio, subtree: [5, 6] });
    expect(listingsOf).not.toContain(5);
    expect(listingsOf).not.toContain(6);
  });

  it("delete of an empty category: the row, its slug, its parent's and its own children, the tree, its inherited set, stats", () => {
    expect(operations(categoryDeleteFootprint(pixel))).toEqual({
      del: ["cat:2:children", "cat:5", "cat:5:children", "cat:slug:pixel", "cat:tree"],
      incr: ["gen:attrs:cat:5", "gen:stats"],
    });
  });

  it("delete with moveContentsTo: also the moved rows and products, the target's children, both chains' listings, searches", () => {
    // android (2, with 5 and 6 below, products 42 and 43 directly in it) is deleted into audio (4).
    const footprint = categoryDeleteFootprint(android, { target: audio, subtree: [2, 5, 6], products: [42, 43] });
    expect(footprint.categories).toEqual([2, 5, 6]);
    expect(footprint.childrenOf).toEqual([1, 2, 4]);
    expect(footprint.listingsOf).toEqual([1, 2, 4]);
    expect(operations(footprint)).toEqual({
      del: ["cat:1:children", "cat:2", "cat:2:children", "cat:4:children", "cat:5", "cat:6", "cat:slug:android", "cat:tree", "prod:42", "prod:43"],
      incr: ["gen:attrs:cat:2", "gen:prods:cat:1", "gen:prods:cat:2", "gen:prods:cat:4", "gen:search", "gen:stats"],
    });
  });

  it("an update that renames and moves names the union of both", () => {
    const both = mergeFootprints([categoryRenameFootprint(pixel), categoryMoveFootprint({ category: pixel, to: audio, subtree: [5, 6] })]);
    expect(operations(both)).toEqual({
      del: ["cat:2:children", "cat:4:children", "cat:5", "cat:6", "cat:tree"],
      incr: ["gen:attrs:cat:5", "gen:prods:cat:1", "gen:prods:cat:2", "gen:prods:cat:4", "gen:search", "gen:stats"],
    });
  });
});

describe("product update footprints: only what reads a changed field", () => {
  // Product 42 in pixel (/1/2/5/), priced in the 100-250 facet range, in stock.
  const row: ProductFacts = {
    id: 42,
    sku: "PX-9",
    name: "Pixel 9",
    description: "A phone",
    brand: "Google",
    price: new Prisma.Decimal("199.00"),
    stock: 5,
    popularity: 10,
    attributes: { color: "black" },
    categoryId: 5,
  };
  const paths = { before: pixel.path, after: pixel.path };
  const update = (changes: Partial<ProductFacts>) => operations(productUpdateFootprint(row, { ...row, ...changes }, paths));
  const chain = (aspect: string) => ["1", "2", "5", "all"].map((id) => `gen:prods:cat:${id}:${aspect}`);

  it("price: price listings of the chain, price-filtered searches, price statistics; not membership, not the SKU lookup", () => {
    expect(update({ price: new Prisma.Decimal("189.00") })).toEqual({
      del: ["prod:42"],
      incr: [...chain("price"), "gen:search:price", "gen:stats:price"].sort(),
    });
  });

  it("price that leaves its facet range also retires every search (the price facet)", () => {
    expect(update({ price: new Prisma.Decimal("260.00") }).incr).toEqual(
      [...chain("price"), "gen:search:price", "gen:search:priceBand", "gen:stats:price"].sort(),
    );
  });

  it("stock within in-stock: only the stock statistic", () => {
    expect(update({ stock: 3 }).incr).toEqual(["gen:stats:stock"]);
  });

  it("stock to 0: in-stock listings and searches, and the stock statistic", () => {
    expect(update({ stock: 0 }).incr).toEqual([...chain("stock"), "gen:search:stock", "gen:stats:stock"].sort());
  });

  it("name: name-ordered listings and every search (ranked text, autocomplete)", () => {
    expect(update({ name: "Pixel 9 Pro" }).incr).toEqual([...chain("name"), "gen:search"].sort());
  });

  it("description: every search only", () => {
    expect(update({ description: "A better phone" }).incr).toEqual(["gen:search"]);
  });

  it("brand: brand-filtered listings, every search (text and facet), per-brand statistics", () => {
    expect(update({ brand: "Alphabet" }).incr).toEqual([...chain("brand"), "gen:search", "gen:stats:brand"].sort());
  });

  it("attributes: attribute-filtered listings and searches", () => {
    expect(update({ attributes: { color: "white" } }).incr).toEqual([...chain("attrs"), "gen:search:attrs"].sort());
  });

  it("popularity: popularity-ordered listings and autocomplete", () => {
    expect(update({ popularity: 11 }).incr).toEqual([...chain("popularity"), "gen:search:popularity"].sort());
  });

  it("SKU: the row and both SKU lookups, nothing else", () => {
    expect(update({ sku: "PX-10" })).toEqual({ del: ["prod:42", "prod:sku:PX-10", "prod:sku:PX-9"], incr: [] });
  });

  it("category change: membership of both chains, every search and statistic", () => {
    const moved = productUpdateFootprint(row, { ...row, categoryId: 7 }, { before: pixel.path, after: headsets.path });
    expect(moved).toEqual(productWriteFootprint(42, ["PX-9"], [pixel.path, headsets.path]));
  });

  // `prod:sku:<sku>` holds the product's id: only a change of the SKU changes what it holds.
  it("an update that changes nothing names only the row", () => {
    expect(update({})).toEqual({ del: ["prod:42"], incr: [] });
  });

  // The footprint a one-statement update records when another write of the product came between
  // its read and its lock: whatever the row held, it covers the precise footprint of any before.
  it("fields whatever the row held: each field's change with its thresholds crossed, covering every precise footprint", () => {
    const fields = productFieldsFootprint(row, ["price", "stock"], pixel.path);
    expect(operations(fields).incr).toEqual(
      [...chain("price"), ...chain("stock"), "gen:search:price", "gen:search:priceBand", "gen:search:stock", "gen:stats:price", "gen:stats:stock"].sort(),
    );
    for (const before of [{ price: new Prisma.Decimal("260.00") }, { stock: 0 }, { price: new Prisma.Decimal("1"), stock: 9 }, {}]) {
      const precise = operations(productUpdateFootprint({ ...row, ...before }, row, paths));
      expect(operations(fields).incr).toEqual(expect.arrayContaining(precise.incr));
      expect(operations(fields).del).toEqual(precise.del);
    }
    expect(operations(productFieldsFootprint(row, ["imageUrl"], pixel.path))).toEqual({ del: ["prod:42"], incr: [] });
  });

  it("merges aspects of many updates per aspect and category", () => {
    const merged = mergeFootprints([
      productUpdateFootprint(row, { ...row, price: new Prisma.Decimal("1") }, paths),
      productUpdateFootprint({ ...row, id: 43, categoryId: 7 }, { ...row, id: 43, categoryId: 7, name: "X" }, { before: headsets.path, after: headsets.path }),
    ]);
    expect(merged.listingAspects).toEqual({ price: [1, 2, 5, null], name: [4, 7, null] });
    expect(merged.search).toBe(true);
  });
});

describe("what a write retires, against what each loader's entry depends on", () => {
  const keys = createKeys("t:");
  const row: ProductFacts = {
    id: 42, sku: "PX-9", name: "Pixel 9", description: "", brand: "Google", price: new Prisma.Decimal("199.00"),
    stock: 5, popularity: 10, attributes: {}, categoryId: 5,
  };
  // A listing's counters as the page loader stamps it (bare generation + its aspects).
  const listing = (orderBy: Parameters<typeof listingAspects>[0]["orderBy"], filter = {}) => [
    keys.generationKey("prods:cat", 5),
    ...listingAspects({ orderBy, filter }).map((aspect) => keys.generationKey("prods:cat", 5, aspect)),
  ];
  const search = (filter = {}) => [keys.generationKey("search"), ...searchAspects(filter).map((a) => keys.generationKey("search", undefined, a))];
  const stat = (type: Parameters<typeof statAspects>[0]) => [keys.generationKey("stats"), ...statAspects(type).map((a) => keys.generationKey("stats", undefined, a))];
  const retires = (changes: Partial<ProductFacts>, counters: string[]) => {
    const { incr } = footprintOperations(keys, productUpdateFootprint(row, { ...row, ...changes }, { before: pixel.path, after: pixel.path }));
    return counters.some((counter) => incr.includes(counter));
  };
  const cheaper = { price: new Prisma.Decimal("189.00") };

  it("a price change retires price-ordered and price-filtered listings, keeps name-ordered and unfiltered ones", () => {
    expect(retires(cheaper, listing("PRICE_ASC"))).toBe(true);
    expect(retires(cheaper, listing("NAME_ASC", { minPrice: "100" }))).toBe(true);
    expect(retires(cheaper, listing("NAME_ASC"))).toBe(false);
    expect(retires(cheaper, listing("POPULARITY_DESC", { inStock: true }))).toBe(false);
  });

  it("a price change retires price-filtered searches and the summary, keeps other searches and statistics", () => {
    expect(retires(cheaper, search({ maxPrice: "500" }))).toBe(true);
    expect(retires(cheaper, search())).toBe(false);
    expect(retires(cheaper, stat("summary"))).toBe(true);
    expect(retires(cheaper, stat("byBrand"))).toBe(false);
    expect(retires(cheaper, stat("byTopLevelCategory"))).toBe(false);
  });

  it("a stock change to 0 retires in-stock listings, keeps price listings", () => {
    expect(retires({ stock: 0 }, listing("NAME_ASC", { inStock: true }))).toBe(true);
    expect(retires({ stock: 0 }, listing("PRICE_DESC"))).toBe(false);
  });

  it("a name change retires name-ordered listings and every search, keeps price listings", () => {
    expect(retires({ name: "Z" }, listing("NAME_DESC"))).toBe(true);
    expect(retires({ name: "Z" }, search({ inStock: true }))).toBe(true);
    expect(retires({ name: "Z" }, listing("PRICE_ASC"))).toBe(false);
  });

  it("a brand change retires brand-filtered listings and per-brand statistics", () => {
    expect(retires({ brand: "Z" }, listing("NEWEST", { brands: ["Google"] }))).toBe(true);
    expect(retires({ brand: "Z" }, stat("byBrand"))).toBe(true);
    expect(retires({ brand: "Z" }, listing("NEWEST"))).toBe(false);
  });

  it("an attribute change retires attribute-filtered listings only", () => {
    const filter = { attributes: [{ name: "color", values: ["black"] }] };
    expect(retires({ attributes: { color: "red" } }, listing("NEWEST", filter))).toBe(true);
    expect(retires({ attributes: { color: "red" } }, listing("NEWEST"))).toBe(false);
  });

  it("a category change retires every listing of the chains", () => {
    const { incr } = footprintOperations(keys, productUpdateFootprint(row, { ...row, categoryId: 7 }, { before: pixel.path, after: headsets.path }));
    expect(incr).toContain(keys.generationKey("prods:cat", 5));
    expect(incr).toContain(keys.generationKey("prods:cat", 7));
  });
});

describe("surrogate keys (src/cache/tags.ts)", () => {
  const keys = createKeys("cg:v9:");
  const row = { id: 42, sku: "PX 9", name: "n", description: "", brand: "b", price: new Prisma.Decimal("1.00"), stock: 1, popularity: 0, attributes: {}, categoryId: 7 };
  const repriced = productUpdateFootprint(row, { ...row, price: new Prisma.Decimal("2.00") }, { before: "/4/7/", after: "/4/7/" });

  it("a footprint purges the exact tag of every key it deletes and counter it moves", () => {
    const tags = footprintTags(keys, repriced);
    for (const tag of ["=prod:42", "=gen:prods:cat:7:price", "=gen:prods:cat:4:price", "=gen:stats:price"]) {
      expect(tags).toContain(tag);
    }
    expect(tags).not.toContain("=gen:prods:cat:7"); // membership did not change
    expect(tags).not.toContain("=prod:sku:PX%209"); // the SKU lookup holds the id, which a price does not change
    const reSkued = footprintTags(keys, productUpdateFootprint(row, { ...row, sku: "PX 10" }, { before: "/4/7/", after: "/4/7/" }));
    expect(reSkued).toEqual(expect.arrayContaining(["=prod:42", "=prod:sku:PX%209", "=prod:sku:PX%2010"]));
  });

  it("a response that read a repriced row or a price listing shares a tag with the purge; a name listing does not", () => {
    const purged = new Set(footprintTags(keys, repriced));
    const shares = (read: string[]) => responseTags(keys, read).some((tag) => purged.has(tag));
    expect(shares([keys.productKey(42), keys.categoryKey(7)])).toBe(true);
    expect(shares([keys.generationKey("prods:cat", 7), keys.generationKey("prods:cat", 7, "price")])).toBe(true);
    expect(shares([keys.generationKey("prods:cat", 7), keys.generationKey("prods:cat", 7, "name"), keys.productKey(43)])).toBe(false);
  });
});
