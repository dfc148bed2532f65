import { applicableDefinitions, attributeProblems, groupByCategory, type AttributeDefinition } from "../../src/data/import/attribute-validation";
import { idsOnPath } from "../../src/data/repositories/category-repository";

const def = (name: string, type: AttributeDefinition["type"], extra: Partial<AttributeDefinition> = {}): AttributeDefinition => ({
  name,
  type,
  required: false,
  allowedValues: [],
  unit: null,
  ...extra,
});

describe("attribute validation", () => {
  const byCategory = new Map([
    [1, [def("color", "STRING", { allowedValues: ["Black", "White"] }), def("storageGb", "NUMBER", { unit: "GB" })]],
    [7, [def("color", "STRING"), def("wireless", "BOOLEAN", { required: true })]],
  ]);

  it("reads ids off a materialized path, root first", () => {
    expect(idsOnPath("/1/7/42/")).toEqual([1, 7, 42]);
    expect(idsOnPath("/")).toEqual([]);
  });

  it("applies own and inherited definitions, the nearest winning", () => {
    const applicable = applicableDefinitions(idsOnPath("/1/7/42/"), byCategory);
    expect([...applicable.keys()]).toEqual(["color", "storageGb", "wireless"]);
    expect(applicable.get("color")!.allowedValues).toEqual([]);
    expect(applicableDefinitions([1], byCategory).get("color")!.allowedValues).toEqual(["Black", "White"]);
  });

  it("orders the applicable definitions by name whatever level defines them", () => {
    const levels = new Map([
      [1, [def("zoom", "NUMBER"), def("brand", "STRING")]],
      [2, [def("color", "STRING"), def("Alpha", "STRING")]],
      [3, [def("brand", "STRING", { required: true })]],
    ]);
    const applicable = applicableDefinitions([1, 2, 3], levels);
    expect([...applicable.keys()]).toEqual(["Alpha", "brand", "color", "zoom"]);
    expect(applicable.get("brand")!.required).toBe(true);
  });

  it("ignores categories off the path and categories without definitions", () => {
    expect([...applicableDefinitions([7, 99], byCategory).keys()]).toEqual(["color", "wireless"]);
    expect(applicableDefinitions([], byCategory).size).toBe(0);
  });

  it("keeps the definitions' own type (the loader's rows carry their id and category)", () => {
    const rows = [
      { id: 10, categoryId: 1, name: "color" },
      { id: 11, categoryId: 2, name: "color" },
      { id: 12, categoryId: 1, name: "size" },
    ];
    const byId = groupByCategory(rows);
    expect([...byId.get(1)!].map((row) => row.id)).toEqual([10, 12]);
    expect([...applicableDefinitions([1, 2], byId).values()]).toEqual([rows[1], rows[2]]);
  });

  it("accepts valid attributes and names each problem with the bad value", () => {
    const atRoot = applicableDefinitions([1], byCategory);
    expect(attributeProblems({ color: "Black", storageGb: 64 }, atRoot)).toEqual([]);
    expect(attributeProblems({ color: "Teal", storageGb: "64", size: 3 }, atRoot)).toEqual([
      'attribute "color" must be one of ["Black","White"], got "Teal"',
      'attribute "storageGb" must be a NUMBER, got "64"',
      'attribute "size" is not defined for this category',
    ]);
    expect(attributeProblems({}, applicableDefinitions([1, 7], byCategory))).toEqual(['attribute "wireless" is required']);
    expect(attributeProblems([], atRoot)).toEqual(["attributes must be a JSON object, got []"]);
  });
});
