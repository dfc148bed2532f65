import { createCategoryPathMatcher, type CategoryNode } from "../../src/data/import/category-path-matcher";

// Cell Phones > Prepaid Phones > All Prepaid Phones, Cell Phones > Accessories (twice, as in the real
// data: siblings may share a name) > Cases under the second one only.
const nodes: CategoryNode[] = [
  { id: 1, name: "Cell Phones", parentId: null },
  { id: 2, name: "Prepaid Phones", parentId: 1 },
  { id: 3, name: "All Prepaid Phones", parentId: 2 },
  { id: 4, name: "Accessories", parentId: 1 },
  { id: 5, name: "Accessories", parentId: 1 },
  { id: 6, name: "Cases", parentId: 5 },
  { id: 7, name: "Audio", parentId: null },
];

describe("createCategoryPathMatcher", () => {
  const match = createCategoryPathMatcher(nodes);

  it("matches a whole path level by level from the root", () => {
    expect(match(["Cell Phones", "Prepaid Phones", "All Prepaid Phones"])).toEqual({ categoryId: 3, matchedLevels: 3, exact: true });
    expect(match(["Cell Phones"])).toEqual({ categoryId: 1, matchedLevels: 1, exact: true });
  });

  it("puts a path of which only a prefix matches in the deepest matching category", () => {
    expect(match(["Cell Phones", "Prepaid Phones", "Prepaid Data Cards"])).toEqual({ categoryId: 2, matchedLevels: 2, exact: false });
    expect(match(["Cell Phones", "Smartwatches", "Bands"])).toEqual({ categoryId: 1, matchedLevels: 1, exact: false });
  });

  it("finds the rest of a path further down when the path leaves out a level of the tree", () => {
    // The tree has Cell Phones > Accessories > Cases; the path leaves out Accessories.
    expect(match(["Cell Phones", "Cases"])).toEqual({ categoryId: 6, matchedLevels: 1, exact: false, foundBelow: 1 });
    // Found down to Cases, then nothing below it is called Clips: Cases holds it.
    expect(match(["Cell Phones", "Cases", "Clips"])).toEqual({ categoryId: 6, matchedLevels: 1, exact: false, foundBelow: 1 });
  });

  it("does not match a name at the wrong level", () => {
    expect(match(["Prepaid Phones", "All Prepaid Phones"])).toBeNull();
    expect(match(["Audio", "Prepaid Phones"])).toEqual({ categoryId: 7, matchedLevels: 1, exact: false });
  });

  it("returns null when not even the root matches, or for an empty path", () => {
    expect(match(["Appliances", "Refrigerators"])).toBeNull();
    expect(match([])).toBeNull();
  });

  it("among siblings of one name, follows the one that matches deepest, else the lowest id", () => {
    expect(match(["Cell Phones", "Accessories", "Cases"])).toEqual({ categoryId: 6, matchedLevels: 3, exact: true });
    expect(match(["Cell Phones", "Accessories"])).toEqual({ categoryId: 4, matchedLevels: 2, exact: true });
  });

  it("ignores case and runs of white space", () => {
    expect(match(["cell  phones", "PREPAID PHONES"])?.categoryId).toBe(2);
  });
});
