import { createStamps, decodeEntry, encodeEntry } from "../../src/cache/entry-codec";
import { createKeys } from "../../src/cache/keys";

describe("encodeEntry / decodeEntry", () => {
  it("round-trips a value and a cached miss with their stamps", () => {
    expect(decodeEntry(encodeEntry('{"id":1}', "gen:prod=3"))).toEqual({ payload: '{"id":1}', stamp: "gen:prod=3", softExpiresAtMs: null });
    expect(decodeEntry(encodeEntry(null, "gen:prod=0"))).toEqual({ payload: null, stamp: "gen:prod=0", softExpiresAtMs: null });
    expect(decodeEntry(encodeEntry("", "s"))).toEqual({ payload: "", stamp: "s", softExpiresAtMs: null });
  });

  it("keeps a payload that holds the separator", () => {
    expect(decodeEntry(encodeEntry('"a|b|c"', "gen:prod=1"))).toEqual({ payload: '"a|b|c"', stamp: "gen:prod=1", softExpiresAtMs: null });
  });

  it("carries a soft expiry (stale-while-revalidate) after the stamp, apart from it", () => {
    expect(encodeEntry("[1]", "g=2", 1700000000123)).toBe("vg=2~1700000000123|[1]");
    expect(decodeEntry("vg=2~1700000000123|[1]")).toEqual({ payload: "[1]", stamp: "g=2", softExpiresAtMs: 1700000000123 });
    expect(decodeEntry("vg=2~soon|[1]")).toBeNull();
  });

  it("stores a value as v<stamp>|<payload> and a miss as n<stamp>|", () => {
    expect(encodeEntry("[1]", "g=2")).toBe("vg=2|[1]");
    expect(encodeEntry(null, "g=2")).toBe("ng=2|");
  });

  it("rejects text that is not an entry", () => {
    for (const text of ["", "v", "vstamp", "|payload", "x1|payload", '{"id":1}', "null"]) expect(decodeEntry(text)).toBeNull();
  });
});

describe("createStamps", () => {
  it("depends on the family's generation first, then dependsOn", () => {
    const keys = createKeys("p:");
    const stamps = createStamps<number>(keys, { family: "prods:cat", dependsOn: (id) => [keys.generationKey("prods:cat", id)] });
    expect(stamps.countersOf(7)).toEqual(["p:{gen:prods:cat}", "p:{gen:prods:cat:7}"]);
    expect(createStamps<number>(keys, { family: "prod" }).countersOf(7)).toEqual(["p:{gen:prod}"]);
  });

  it("names each counter without the prefix and counts one not read as 0", () => {
    const keys = createKeys("a|b:");
    const stamps = createStamps<number>(keys, { family: "prods:cat", dependsOn: (id) => [keys.generationKey("prods:cat", id)] });
    const stamp = stamps.stampOf(7, new Map([[keys.generationKey("prods:cat", 7), "4"]]));
    expect(stamp).toBe("prods:cat=0,prods:cat:7=4");
    // A prefix holding the separator does not end the stamp early.
    expect(decodeEntry(encodeEntry("[]", stamp))?.stamp).toBe(stamp);
  });

  it("tells apart stamps of different counters with equal values", () => {
    const keys = createKeys("p:");
    const dependsOn = (ancestors: number[]) => () => ancestors.map((id) => keys.generationKey("attrs:cat", id));
    const generations = new Map([
      [keys.generationKey("attrs:cat", 1), "2"],
      [keys.generationKey("attrs:cat", 5), "2"],
    ]);
    const before = createStamps<number>(keys, { family: "attrs:cat", dependsOn: dependsOn([1]) }).stampOf(9, generations);
    const after = createStamps<number>(keys, { family: "attrs:cat", dependsOn: dependsOn([5]) }).stampOf(9, generations);
    expect(before).not.toBe(after);
  });
});
