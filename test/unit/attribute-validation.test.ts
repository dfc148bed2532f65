import { applicableDefinitions } from "../../src/data/attribute-inheritance";
import { attributeProblems, type AttributeDefinition } from "../../src/data/import/attribute-validation";

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

  it("checks against what the nearest level defines", () => {
    const atSeven = applicableDefinitions([1, 7], byCategory);
    expect(attributeProblems({ color: "Teal", wireless: true }, atSeven)).toEqual([]);
  });
});
