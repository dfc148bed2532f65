/** A ranked id and its score. */
export interface Scored {
  id: number;
  score: number;
}

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): each ranking contributes
 * weight / (k + rank) for every id it holds (rank 1 is its best), and ids are ordered by the sum,
 * ties by id. It needs no score calibration between a ts_rank and a cosine similarity, only the
 * orders. A larger `k` (default 60) flattens the weight of the top ranks; `weights` (default 1 each)
 * let a ranking that is known to be weaker inform the order without overruling the others.
 */
export function reciprocalRankFusion(rankings: readonly (readonly number[])[], k = 60, weights: readonly number[] = []): Scored[] {
  if (!(k > 0)) throw new RangeError(`k must be positive, got ${k}`);
  for (const weight of weights) if (!(weight >= 0)) throw new RangeError(`weights must be >= 0, got ${weight}`);
  const scores = new Map<number, number>();
  rankings.forEach((ranking, r) => {
    const weight = weights[r] ?? 1;
    const seen = new Set<number>();
    ranking.forEach((id, index) => {
      // An id listed twice in one ranking counts once, at its best rank.
      if (seen.has(id)) return;
      seen.add(id);
      scores.set(id, (scores.get(id) ?? 0) + weight / (k + index + 1));
    });
  });
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id);
}
