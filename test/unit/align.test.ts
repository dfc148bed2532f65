import { alignByKey, groupByKey } from "../../src/loaders/align";

describe("alignByKey", () => {
  const rows = [{ id: 3, n: "c" }, { id: 1, n: "a" }];
  it("returns one result per key, in key order", () => {
    expect(alignByKey([1, 3], rows, (r) => r.id).map((r) => r?.n)).toEqual(["a", "c"]);
  });
  it("gives null for a missing key", () => {
    expect(alignByKey([2, 1], rows, (r) => r.id)).toEqual([null, rows[1]]);
  });
  it("gives the same row to duplicated keys", () => {
    expect(alignByKey([3, 3], rows, (r) => r.id)).toEqual([rows[0], rows[0]]);
  });
});

describe("groupByKey", () => {
  it("groups rows under their key, in key order, empty for a key with none", () => {
    const rows = [{ p: 1, id: 10 }, { p: null, id: 11 }, { p: 1, id: 12 }];
    expect(groupByKey([1, 2, null], rows, (r) => r.p).map((g) => g.map((r) => r.id))).toEqual([[10, 12], [], [11]]);
  });
});
