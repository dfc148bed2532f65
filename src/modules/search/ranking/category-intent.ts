/** A category most of a search's strong hits agree on. */
export interface CategoryIntent {
  categoryId: number;
  /** Share of the strong hits in its subtree, 0..1. */
  share: number;
}

/**
 * Share of the strong hits a category must exceed to be the intent. Default 0.5, a strict majority
 * (0.6 left small carriers' queries without an intent: 11 of 20 strong hits in their phones).
 */
export const DEFAULT_INTENT_SHARE = 0.5;
/** Strong hits looked at: the top of the text ranking (or of the neighbours without text). */
export const INTENT_HITS = 20;
/** What a hit outside the intent's subtree keeps of its score. */
export const INTENT_DEMOTION = 0.5;

/**
 * The category intent of a search: the deepest category (below the top level, which in a
 * department-sized catalog holds everything) whose subtree holds more than `minShare` of the strong
 * hits, given as their categories' paths (ids, root first). Null with fewer than 3 hits or no
 * such category. "iphone 7 case" finds cases, so the intent is the cases category; "sprint phones"
 * finds phones, so it is a phones category: the same rule serves both directions.
 */
export function categoryIntent(hitPaths: readonly (readonly number[])[], minShare = DEFAULT_INTENT_SHARE): CategoryIntent | null {
  if (hitPaths.length < 3) return null;
  const counts = new Map<number, { count: number; depth: number }>();
  for (const path of hitPaths) {
    path.forEach((id, depth) => {
      if (depth === 0) return;
      const entry = counts.get(id) ?? { count: 0, depth };
      entry.count++;
      counts.set(id, entry);
    });
  }
  let best: { id: number; count: number; depth: number } | null = null;
  for (const [id, { count, depth }] of counts) {
    if (count <= minShare * hitPaths.length) continue;
    if (!best || depth > best.depth || (depth === best.depth && (count > best.count || (count === best.count && id < best.id)))) best = { id, count, depth };
  }
  return best && { categoryId: best.id, share: best.count / hitPaths.length };
}

/**
 * `hits` ([id, score], best first) with the score of every hit outside the intent's subtree
 * multiplied by `demotion`, re-sorted (score desc, id asc, the order pages walk). An exact SKU match
 * (score 1) keeps its place at the top whatever its category.
 */
export function preferIntent(
  hits: readonly [number, number][],
  inIntent: (id: number) => boolean,
  demotion = INTENT_DEMOTION,
): [number, number][] {
  return hits
    .map(([id, score]): [number, number] => [id, score >= 1 || inIntent(id) ? score : score * demotion])
    .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}
