import { hybridHits } from "../../src/modules/search/ranking/hybrid-hits";
import { reciprocalRankFusion } from "../../src/modules/search/ranking/rrf";

describe("reciprocal rank fusion", () => {
  it("sums 1 / (k + rank) over the rankings that hold an id", () => {
    const fused = reciprocalRankFusion([[10, 20, 30], [30, 10]], 60);
    expect(fused.map((hit) => hit.id)).toEqual([10, 30, 20]);
    expect(fused[0].score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[1].score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(fused[2].score).toBeCloseTo(1 / 62, 12);
  });

  it("lets agreement between the sides beat a single first place", () => {
    // 7 is only second and third; 1 and 2 are first on one side each and absent from the other.
    const fused = reciprocalRankFusion([[1, 7, 3], [2, 4, 7]], 60);
    expect(fused[0].id).toBe(7);
  });

  it("breaks ties by id, so the order is total and pages are stable", () => {
    const fused = reciprocalRankFusion([[5], [3]], 60);
    expect(fused.map((hit) => hit.id)).toEqual([3, 5]);
    expect(fused[0].score).toBe(fused[1].score);
  });

  it("counts an id listed twice in one ranking once, at its best rank", () => {
    const fused = reciprocalRankFusion([[4, 4, 9]], 10);
    expect(fused).toEqual([{ id: 4, score: 1 / 11 }, { id: 9, score: 1 / 13 }]);
  });

  it("handles empty rankings and rejects a k that is not positive", () => {
    expect(reciprocalRankFusion([[], []])).toEqual([]);
    expect(() => reciprocalRankFusion([[1]], 0)).toThrow(/k must be positive/);
  });

  it("weighs each ranking's contribution, so a weaker side informs the order without overruling", () => {
    // Equal weights: 6, first of the vector side only, ties with the text side's first and passes its second.
    expect(reciprocalRankFusion([[1, 2, 3, 4, 5], [6]], 60).map((hit) => hit.id)).toEqual([1, 6, 2, 3, 4, 5]);
    // The vector side at 0.25: 6 comes after every text match; agreement still counts (2 passes 1).
    const weighted = reciprocalRankFusion([[1, 2, 3, 4, 5], [6, 2]], 60, [1, 0.25]);
    expect(weighted.map((hit) => hit.id)).toEqual([2, 1, 3, 4, 5, 6]);
    expect(weighted[0].score).toBeCloseTo(1 / 62 + 0.25 / 62, 12);
    expect(weighted[5].score).toBeCloseTo(0.25 / 61, 12);
    expect(() => reciprocalRankFusion([[1]], 60, [-1])).toThrow(/weights must be >= 0, got -1/);
  });

  it("flattens the top ranks as k grows", () => {
    const gap = (k: number) => {
      const [first, second] = reciprocalRankFusion([[1, 2]], k);
      return first.score / second.score;
    };
    expect(gap(1)).toBeGreaterThan(gap(60));
  });
});

describe("the HYBRID ranking", () => {
  const options = { rrfK: 60, maxResults: 10 };

  it("puts exact SKU matches first with score 1, then the fusion without repeating them", () => {
    const hits = hybridHits({ skuIds: [8], text: [8, 1, 2], vector: [2, 8, 3] }, options);
    expect(hits.map(([id]) => id)).toEqual([8, 2, 1, 3]);
    expect(hits[0]).toEqual([8, 1]);
    expect(hits[1][1]).toBeCloseTo(1 / 63 + 1 / 61, 12);
  });

  it("keeps at most maxResults hits, SKU matches included", () => {
    const hits = hybridHits({ skuIds: [5], text: [1, 2, 3], vector: [4] }, { rrfK: 60, maxResults: 3 });
    expect(hits.map(([id]) => id)).toEqual([5, 1, 4]);
  });

  it("is the plain fusion when nothing matches a SKU", () => {
    const hits = hybridHits({ skuIds: [], text: [1, 2], vector: [2] }, options);
    expect(hits).toEqual(reciprocalRankFusion([[1, 2], [2]], 60).map((hit) => [hit.id, hit.score]));
  });
});
