import { DEFAULT_SYNONYMS_FILE, loadSynonyms, parseSynonyms } from "../../src/data/search/synonyms";
import { editDistance, typoBudget } from "../../src/data/search/spelling";
import { planTextQuery } from "../../src/data/search/text-query";
import { respell } from "../../src/modules/search/graceful-match";
import { categoryIntent, preferIntent } from "../../src/modules/search/ranking/category-intent";

describe("synonym rules", () => {
  const rules = parseSynonyms("# carriers\ntmo, T-Mobile\nrefurb => refurbished, renewed\n\nusb c, type-c  # connectors\n");

  it("reads equivalent terms both ways and one-way rules one way, case- and space-insensitively", () => {
    expect(rules.alternativesOf("tmo")).toEqual(["tmo", "t-mobile"]);
    expect(rules.alternativesOf("t-mobile")).toEqual(["t-mobile", "tmo"]);
    expect(rules.alternativesOf("refurb")).toEqual(["refurb", "refurbished", "renewed"]);
    expect(rules.alternativesOf("refurbished")).toBeNull();
    expect(rules.alternativesOf("usb c")).toEqual(["usb c", "type-c"]);
    expect(rules.maxWords).toBe(2);
  });

  it("fails on a line that is not a rule, naming the line", () => {
    expect(() => parseSynonyms("a, b\nx => \n", "syn.txt")).toThrow('syn.txt:2: expected "a, b, c" or "a => b, c", got "x => "');
    expect(() => parseSynonyms("a => b => c")).toThrow(/synonyms:1/);
  });

  it("versions the rules, so a change of rules is a new cache key", () => {
    expect(parseSynonyms("a, b\n# a comment").version).toBe(parseSynonyms("a, b").version);
    expect(parseSynonyms("a, b").version).not.toBe(parseSynonyms("a, c").version);
  });

  it("ships defaults that cover the catalog's abbreviations", () => {
    const defaults = loadSynonyms(DEFAULT_SYNONYMS_FILE);
    expect(defaults.alternativesOf("tmo")).toContain("t-mobile");
    expect(defaults.alternativesOf("refurb")).toContain("refurbished");
    expect(defaults.alternativesOf("head set")).toContain("headset");
  });
});

describe("term groups of a query", () => {
  const rules = parseSynonyms("tmo, t-mobile\nstraight talk, straighttalk\nrefurb => refurbished");

  it("gives each word its own group, and a synonym run (longest first) one group", () => {
    expect(planTextQuery("samsung galaxy").groups).toEqual([
      { alternatives: ["samsung"], word: "samsung" },
      { alternatives: ["galaxy"], word: "galaxy" },
    ]);
    expect(planTextQuery("tmo straight talk phones", rules).groups).toEqual([
      { alternatives: ["tmo", "t-mobile"], word: "tmo" },
      { alternatives: ["straight talk", "straighttalk"], word: null },
      { alternatives: ["phones"], word: "phones" },
    ]);
  });

  it("applies synonyms to the vector text too, never to exclusions", () => {
    const plan = planTextQuery("refurb iphone -tmo", rules);
    expect(plan.vectorText).toBe("refurb refurbished iphone");
    expect(plan.exclusions).toBe("tmo");
  });

  it("keeps a quoted phrase whole, joins `or` alternatives into one group, splits letters from digits", () => {
    expect(planTextQuery('"screen protector" glass or film').groups).toEqual([
      { alternatives: ["screen protector"], word: null },
      { alternatives: ["glass", "film"], word: "glass" },
    ]);
    expect(planTextQuery("iphone7 case").groups[0]).toEqual({ alternatives: ["iphone7", "iphone 7"], word: "iphone7" });
  });

  it('reads "&" between letters as nothing, as the documents are indexed (AT&T is att)', () => {
    expect(planTextQuery("at&t phones").groups[0]).toEqual({ alternatives: ["att"], word: "att" });
  });
});

describe("typo budget and respelling", () => {
  it("counts insertions, deletions, substitutions and swaps as one edit each", () => {
    expect(editDistance("samsng", "samsung")).toBe(1);
    expect(editDistance("otterbxo", "otterbox")).toBe(1);
    expect(editDistance("protecter", "protector")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("allows no typo under 4 letters, one from 4, two from 8", () => {
    expect([typoBudget("tmo"), typoBudget("case"), typoBudget("samsung"), typoBudget("protecter")]).toEqual([0, 1, 1, 2]);
  });

  it("adds spellings to the words that had none, and joins split compounds", () => {
    const groups = planTextQuery("samsng head set").groups;
    const spelled = respell(groups, { corrections: new Map([["samsng", ["samsung"]]]), joins: new Map([["head set", "headset"]]) });
    expect(spelled?.groups).toEqual([
      { alternatives: ["samsng", "samsung"], word: "samsng" },
      { alternatives: ["head set", "headset"], word: null },
    ]);
    expect(spelled?.described).toBe('"samsng" as samsung, "head set" as headset');
    expect(respell(groups, { corrections: new Map(), joins: new Map() })).toBeNull();
  });
});

describe("category intent", () => {
  // Paths of root 1: 1 > 2 (phones) > 3 (unlocked), 1 > 4 (accessories) > 5 (cases).
  const unlocked = [1, 2, 3];
  const cases = [1, 4, 5];

  it("names the deepest category below the top level that most strong hits sit in", () => {
    expect(categoryIntent([...Array(7).fill(unlocked), ...Array(3).fill(cases)])).toEqual({ categoryId: 3, share: 0.7 });
    expect(categoryIntent([...Array(4).fill(unlocked), [1, 2, 6], [1, 2, 6], ...Array(4).fill(cases)])).toEqual({ categoryId: 2, share: 0.6 });
  });

  it("names none when the hits are split, few, or agree only on the top level", () => {
    expect(categoryIntent([...Array(5).fill(unlocked), ...Array(5).fill(cases)])).toBeNull();
    expect(categoryIntent([unlocked, unlocked])).toBeNull();
    expect(categoryIntent(Array(10).fill([1]))).toBeNull();
  });

  it("demotes hits outside the intent and re-sorts by score then id, keeping SKU matches first", () => {
    const hits: [number, number][] = [[9, 1], [1, 0.8], [2, 0.7], [3, 0.5], [4, 0.35]];
    const inIntent = (id: number) => id === 3 || id === 4;
    expect(preferIntent(hits, inIntent)).toEqual([[9, 1], [3, 0.5], [1, 0.4], [2, 0.35], [4, 0.35]]);
  });
});
