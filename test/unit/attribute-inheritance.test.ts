import { applicableDefinitions, groupByCategory } from "../../src/data/attribute-inheritance";
import { idsOnPath } from "../../src/catalog";

const def = (name: string, extra: { required?: boolean; unit?: string | null } = {}) => ({ name, required: false, unit: null, ...extra });

describe("attribute inheritance", () => {
  const byCategory = new Map([
    [1, [def("color", { unit: "root" }), def("storageGb", { unit: "GB" })]],
    [7, [def("color", { unit: "seven" }), def("wireless", { required: true })]],
  ]);

  it("reads ids off a materialized path, root first", () => {
    expect(idsOnPath("/1/7/42/")).toEqual([1, 7, 42]);
    expect(idsOnPath("/")).toEqual([]);
  });

  it("applies own and inherited definitions, the nearest winning", () => {
    const applicable = applicableDefinitions(idsOnPath("/1/7/42/"), byCategory);
    expect([...applicable.keys()]).toEqual(["color", "storageGb", "wireless"]);
    expect(applicable.get("color")!.unit).toBe("seven");
    expect(applicableDefinitions([1], byCategory).get("color")!.unit).toBe("root");
  });

  it("orders the result by name, whatever level defines each (as the attribute loader returns it)", () => {
    const levels = new Map([
      [1, [def("zoom"), def("brand")]],
      [2, [def("color"), def("Alpha")]],
      [3, [def("brand", { required: true })]],
    ]);
    const applicable = applicableDefinitions([1, 2, 3], levels);
    expect([...applicable.keys()]).toEqual(["Alpha", "brand", "color", "zoom"]);
    expect(applicable.get("brand")!.required).toBe(true);
  });

  it("ignores categories without definitions; an empty path has none", () => {
    expect([...applicableDefinitions([7, 99], byCategory).keys()]).toEqual(["color", "wireless"]);
    expect(applicableDefinitions([], byCategory).size).toBe(0);
  });

  it("keeps the definitions' own type: the loader's rows come back whole", () => {
    const rows = [
      { id: 10, categoryId: 1, name: "color" },
      { id: 11, categoryId: 2, name: "color" },
      { id: 12, categoryId: 1, name: "size" },
    ];
    const grouped = groupByCategory(rows);
    expect(grouped.get(1)!.map((row) => row.id)).toEqual([10, 12]);
    expect([...applicableDefinitions([1, 2], grouped).values()]).toEqual([rows[1], rows[2]]);
  });

  it("takes any id type (the generator's chains are external ids)", () => {
    const byExternalId = new Map([
      ["root", [def("color", { unit: "root" })]],
      ["leaf", [def("color", { unit: "leaf" })]],
    ]);
    expect(applicableDefinitions(["root", "leaf"], byExternalId).get("color")!.unit).toBe("leaf");
  });
});
