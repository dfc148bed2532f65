import type { PrismaClient } from "../../generated/prisma/client";

/** Shortest word typo correction looks at (Algolia's rule: one typo from 4 letters, two from 8). */
export const MIN_CORRECTED_LENGTH = 4;
// Vocabulary words considered per typed word (by trigram similarity), before the edit-distance check.
const CANDIDATES = 8;

/** What a word may have been meant as. */
export interface Spellings {
  /** Per typed word that matches no product: vocabulary words within its typo budget, most similar first. */
  corrections: Map<string, string[]>;
  /** Adjacent words whose concatenation is a vocabulary word ("head set" -> "headset"), keyed by "head set". */
  joins: Map<string, string>;
}

/**
 * Spellings of the query's words from the vocabulary of names, brands and category paths
 * (`search_words`, kept by triggers, see migration 20261130100000_search_relevance): one statement.
 * A word is corrected only if it matches no product as typed; candidates come from the trigram
 * index (`%`, pg_trgm's similarity >= 0.3) and are kept when within the typo budget: one edit
 * (insertion, deletion, substitution, or swap of neighbours) from 4 letters, two from 8.
 */
export async function findSpellings(prisma: PrismaClient, words: readonly string[]): Promise<Spellings> {
  const typed = [...new Set(words.filter((word) => word.length >= MIN_CORRECTED_LENGTH && /\p{L}/u.test(word)))];
  const pairs = words.slice(1).map((word, i) => [words[i], word] as const).filter(([a, b]) => /^\p{L}+$/u.test(a + b));
  if (typed.length === 0 && pairs.length === 0) return { corrections: new Map(), joins: new Map() };
  const rows = await prisma.$queryRawUnsafe<{ kind: string; typed: string; word: string }[]>(
    `SELECT 'c' AS kind, t.word AS typed, s.word
       FROM unnest($1::text[]) AS t(word)
       CROSS JOIN LATERAL (
         SELECT s.word FROM search_words s WHERE s.word % t.word
          ORDER BY similarity(s.word, t.word) DESC, s.word LIMIT ${CANDIDATES}) s
      WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.search_vector @@ plainto_tsquery('english', t.word))
     UNION ALL
     SELECT 'j', j.pair, s.word FROM unnest($2::text[]) AS j(pair) JOIN search_words s ON s.word = replace(j.pair, ' ', '')`,
    typed,
    pairs.map(([a, b]) => `${a} ${b}`),
  );
  const corrections = new Map<string, string[]>();
  const joins = new Map<string, string>();
  for (const row of rows) {
    if (row.kind === "j") joins.set(row.typed, row.word);
    else if (row.word !== row.typed && editDistance(row.typed, row.word) <= typoBudget(row.typed)) {
      corrections.set(row.typed, [...(corrections.get(row.typed) ?? []), row.word]);
    }
  }
  return { corrections, joins };
}

/** Edits a word of this length may hold and still be corrected: 1 from 4 letters, 2 from 8. */
export function typoBudget(word: string): number {
  return word.length >= 8 ? 2 : word.length >= MIN_CORRECTED_LENGTH ? 1 : 0;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
