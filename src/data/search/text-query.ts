import type { Synonyms } from "./synonyms";

/**
 * How a search query is read before it reaches SQL. The normalized form is what the cache key
 * hashes (DESIGN.md: lower-cased, trimmed, whitespace collapsed), so "  Samsung  TV" and
 * "samsung tv" share one entry; `websearch_to_tsquery` is case-insensitive, so nothing is lost.
 */

/** Lower-cased, trimmed, inner whitespace collapsed to one space (NFC, so equal text hashes alike). */
export function normalizeQuery(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();
}

/** One term of a query and what else it may match: a group the text side ORs, groups are ANDed. */
export interface TermGroup {
  /** The term as typed (a word or a phrase), then its synonyms and spellings; each is matched as a phrase. */
  alternatives: string[];
  /** The term when it is one plain word (not a quoted phrase, not a synonym of several words): typo correction may add spellings. */
  word: string | null;
}

/** What the SQL of a text search needs besides the query itself. */
export interface TextQueryPlan {
  /** The normalized query. */
  query: string;
  /** The wanted terms, each with its alternatives; a product matches all of them (or, relaxed, most of them). */
  groups: TermGroup[];
  /**
   * The last word, when it is a plain word still being typed: matched as a prefix ("samsu" finds
   * Samsung). Null after a closing quote, inside a quoted phrase, for an exclusion ("-case") and
   * for the operator "or".
   */
  prefixWord: string | null;
  /** The query as a SKU when it looks like one (a single token of letters, digits, "-", "_", "."): matched exactly (case-insensitively) and ranked first. */
  sku: string | null;
  /** What the vector side embeds: the wanted words and their synonyms, without exclusions, quotes or `or`. */
  vectorText: string;
  /** The excluded words and phrases as one websearch query ("otterbox or \"belt clip\""), or null: no match may contain them. */
  exclusions: string | null;
}

/**
 * Reads a normalized query (see `normalizeQuery`) in websearch syntax: "quoted phrases",
 * -exclusions (of a word or a phrase) and `or` (which joins the terms on either side into one
 * group). Runs of plain words that a synonym rule names (longest first) become one group with the
 * rule's alternatives; a word that runs letters into digits ("iphone7") also matches them apart.
 */
export function planTextQuery(query: string, synonyms?: Synonyms): TextQueryPlan {
  const terms: { text: string; phrase: boolean; or: boolean }[] = [];
  const excluded: string[] = [];
  let or = false;
  // As the documents are indexed (search_text in migration 20261130100000_search_relevance): "at&t" is "att".
  const joined = query.replace(/(\w)&(\w)/g, "$1$2");
  for (const [, minus, phrase, word] of joined.matchAll(/(?:^|\s)(-?)(?:"([^"]*)"?|([^\s"]+))/g)) {
    const text = (phrase ?? word ?? "").trim();
    if (text === "") continue;
    if (!minus && phrase === undefined && text === "or") {
      or = terms.length > 0;
      continue;
    }
    if (minus) excluded.push(phrase === undefined ? text : `"${text}"`);
    else terms.push({ text, phrase: phrase !== undefined, or });
    or = false;
  }
  const groups: TermGroup[] = [];
  const vectorWords: string[] = [];
  for (let i = 0; i < terms.length; ) {
    let taken = 1;
    let group: TermGroup = { alternatives: [terms[i].text], word: terms[i].phrase ? null : terms[i].text };
    for (let n = Math.min(synonyms?.maxWords ?? 0, terms.length - i); n >= 1; n--) {
      const run = terms.slice(i, i + n);
      if (run.some((term, j) => term.phrase || (j > 0 && term.or))) continue;
      const typed = run.map((term) => term.text).join(" ");
      // A plural finds the rule of its singular ("cases" that of "case"), as stemming would.
      const alternatives = synonyms!.alternativesOf(typed) ?? synonyms!.alternativesOf(typed.replace(/(?<=\p{L}{3})s$/u, ""));
      if (!alternatives) continue;
      group = { alternatives: [typed, ...alternatives.filter((term) => term !== typed && term !== alternatives[0])], word: n === 1 ? typed : null };
      taken = n;
      break;
    }
    const split = group.word?.match(/^(\p{L}{2,})(\p{N}+)$|^(\p{N}+)(\p{L}{2,})$/u);
    if (split) group.alternatives.push(split[1] ? `${split[1]} ${split[2]}` : `${split[3]} ${split[4]}`);
    vectorWords.push(...group.alternatives);
    if (terms[i].or && groups.length > 0) groups[groups.length - 1].alternatives.push(...group.alternatives);
    else groups.push(group);
    i += taken;
  }
  return {
    query,
    groups,
    prefixWord: prefixWord(query),
    sku: /^[\p{L}\p{N}._-]{1,64}$/u.test(query) ? query : null,
    vectorText: [...new Set(vectorWords)].join(" "),
    exclusions: excluded.length ? excluded.join(" or ") : null,
  };
}

/**
 * The forms a typed word matches exactly (the exact tier of `summarizeMatches`): itself and its
 * regular plural or singular ("case" and "cases", "box" and "boxes"), as a store keeps them together,
 * but not what English stemming also merges ("international" and "intern" share the stem 'intern').
 */
export function exactForms(word: string): string[] {
  if (!/^\p{L}{2,}$/u.test(word)) return [word];
  if (/(?:ss|x|z|ch|sh)es$/.test(word)) return [word, word.slice(0, -2)];
  if (/(?:ss|us|x|z|ch|sh)$/.test(word)) return [word, `${word}es`];
  if (/[^su]s$/.test(word)) return [word, word.slice(0, -1)];
  return [word, `${word}s`];
}

function prefixWord(query: string): string | null {
  const quotes = (query.match(/"/g) ?? []).length;
  if (quotes % 2 === 1) return null;
  const match = /(^|[\s"])(-?)([\p{L}\p{N}]+)$/u.exec(query);
  if (!match || match[2] === "-" || match[3] === "or") return null;
  return match[3];
}

/**
 * The prefix query of autocomplete for `to_tsquery('simple', ...)`: every word of the prefix as a
 * prefix ("samsung gal" -> `'samsung':* & 'gal':*`); null when the prefix has no word at all.
 * Words are runs of letters and digits, so nothing in the text can be read as an operator.
 */
export function prefixTsQuery(prefix: string): string | null {
  const words = normalizeQuery(prefix).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return words.length ? words.map((word) => `'${word}':*`).join(" & ") : null;
}
