import { reciprocalRankFusion } from "./rrf";

/** The rankings a HYBRID search fuses, each a list of product ids, best first. */
export interface HybridSides {
  /** Products whose SKU is the query: they lead, with score 1. */
  skuIds: readonly number[];
  /** The full-text ranking (SKU matches included). */
  text: readonly number[];
  /** The vector neighbours in scope. */
  vector: readonly number[];
}

/**
 * The HYBRID ranking as [id, score] pairs: exact SKU matches first (score 1), then the text and
 * vector rankings fused by reciprocal rank fusion with `rrfK`, the vector side weighted
 * `rrfVectorWeight` against the text side's 1 (a SKU match is not repeated), cut
 * to `maxResults`. Fused scores are below 1, so the SKU matches stay first whatever the fusion says.
 */
export function hybridHits(
  sides: HybridSides,
  { rrfK, maxResults, rrfVectorWeight = 1 }: { rrfK: number; maxResults: number; rrfVectorWeight?: number },
): [number, number][] {
  const sku = new Set(sides.skuIds);
  const fused = reciprocalRankFusion([sides.text, sides.vector], rrfK, [1, rrfVectorWeight]);
  const hits: [number, number][] = [
    ...sides.skuIds.map((id): [number, number] => [id, 1]),
    ...fused.filter((hit) => !sku.has(hit.id)).map((hit): [number, number] => [hit.id, hit.score]),
  ];
  return hits.slice(0, maxResults);
}
