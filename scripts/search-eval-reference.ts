/**
 * A reference store engine for labelling the evaluation's queries: where would a store's search put
 * most of its hits? Modelled on what issue #14 says of the engine shoppers compare us with (Algolia
 * as configured for this dataset): it searches name, brand, category list and description in that
 * order of importance, ignores plurals, tolerates one typo from 4 letters and two from 8, drops
 * the last words when a query finds nothing, and breaks ties by popularity. It is deliberately
 * independent of the gateway's code (no tsvector, no vectors), so it labels; it does not rank for us.
 */
import { majorityCategory, type EvalProduct } from "./search-eval-queries";

/** Searchable attributes in order of importance (Algolia's `searchableAttributes`). */
const ATTRIBUTES = ["name", "brand", "categories", "description"] as const;

/** Words as the reference engine indexes them: lower-cased, "&" inside a word dropped, plurals folded. */
export function referenceWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/(\w)&(\w)/g, "$1$2")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map(singular);
}

/** The singular of an English plural, for the words of this catalog ("batteries", "cases", "lenses", "accessories"). */
export function singular(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (/ies$/.test(word)) return word.slice(0, -3) + "y";
  if (/(ch|sh|x|ss|[^aeiou]s)es$/.test(word)) return word.slice(0, -2);
  if (/ss$|us$|is$/.test(word)) return word;
  if (/s$/.test(word)) return word.slice(0, -1);
  return word;
}

interface Indexed {
  product: EvalProduct;
  popularity: number;
  fields: Set<string>[];
}

/** Index once, search many times. */
export function createReferenceEngine(products: readonly (EvalProduct & { description: string; popularity: number })[]) {
  const indexed: Indexed[] = products.map((product) => ({
    product,
    popularity: product.popularity,
    fields: [product.name, product.brand, product.path.join(" "), product.description].map((text) => new Set(referenceWords(text))),
  }));
  const vocabulary = new Set(indexed.flatMap((p) => p.fields.flatMap((f) => [...f])));

  // The vocabulary words a query word may stand for, each with its number of typos.
  function spellings(word: string): Map<string, number> {
    const out = new Map<string, number>([[word, 0]]);
    const budget = word.length >= 8 ? 2 : word.length >= 4 ? 1 : 0;
    if (budget === 0) return out;
    for (const candidate of vocabulary) {
      if (Math.abs(candidate.length - word.length) > budget || candidate === word) continue;
      const d = distance(word, candidate);
      if (d <= budget) out.set(candidate, d);
    }
    return out;
  }

  /** The top `n` products for `query`, ranked: typos, then the worst word's best attribute, then popularity. */
  function search(query: string, n = 20): EvalProduct[] {
    const words = referenceWords(query);
    for (let kept = words.length; kept > 0; kept--) {
      // A split compound ("head sets") also matches joined ("headset"), as a store's engine concatenates.
      const variants = [words.slice(0, kept)];
      for (let i = 0; i + 1 < kept; i++) {
        const joined = words[i] + words[i + 1];
        if (vocabulary.has(joined)) variants.push([...words.slice(0, i), joined, ...words.slice(i + 2, kept)]);
      }
      const scored = new Map<Indexed, { typos: number; attribute: number }>();
      for (const variant of variants) {
        const spelled = variant.map(spellings);
        for (const p of indexed) {
          const match = matchOf(p, spelled);
          const seen = scored.get(p);
          if (match && (!seen || match.typos < seen.typos || (match.typos === seen.typos && match.attribute < seen.attribute))) scored.set(p, match);
        }
      }
      if (scored.size === 0) continue;
      return [...scored]
        .sort(([p, a], [q, b]) => a.typos - b.typos || a.attribute - b.attribute || q.popularity - p.popularity)
        .slice(0, n)
        .map(([p]) => p.product);
    }
    return [];
  }

  // Every word found (in some spelling): the typos summed, and the worst word's best attribute (a
  // store engine ranks a product whose words all sit in its name above one that needs its description).
  function matchOf(p: Indexed, spelled: readonly Map<string, number>[]): { typos: number; attribute: number } | null {
    let typos = 0;
    let attribute = 0;
    for (const alternatives of spelled) {
      let best: { typos: number; attribute: number } | null = null;
      for (let a = 0; a < p.fields.length; a++) {
        for (const [w, t] of alternatives) if (p.fields[a].has(w) && (!best || t < best.typos || (t === best.typos && a < best.attribute))) best = { typos: t, attribute: a };
      }
      if (!best) return null;
      typos += best.typos;
      attribute = Math.max(attribute, best.attribute);
    }
    return { typos, attribute };
  }

  /** The category where the reference engine puts most of its top 20 (the deepest holding more than half), or null. */
  function expectedCategory(query: string): string | null {
    return majorityCategory(search(query, 20));
  }

  return { search, expectedCategory, attributes: ATTRIBUTES };
}

function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
