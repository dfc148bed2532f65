/**
 * How a search query is read before it reaches SQL. The normalized form is what the cache key
 * hashes (DESIGN.md: lower-cased, trimmed, whitespace collapsed), so "  Samsung  TV" and
 * "samsung tv" share one entry; `websearch_to_tsquery` is case-insensitive, so nothing is lost.
 */

/** Lower-cased, trimmed, inner whitespace collapsed to one space (NFC, so equal text hashes alike). */
export function normalizeQuery(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();
}

/** What the SQL of a text search needs besides the query itself. */
export interface TextQueryPlan {
  /** The normalized query, given to `websearch_to_tsquery` as is. */
  query: string;
  /**
   * The last word, when it is a plain word still being typed: matched as a prefix ("samsu" finds
   * Samsung). Null after a closing quote, inside a quoted phrase, for an exclusion ("-case") and
   * for the operator "or".
   */
  prefixWord: string | null;
  /** The query as a SKU when it looks like one (a single token of letters, digits, "-", "_", "."): matched exactly (case-insensitively) and ranked first. */
  sku: string | null;
  /** What the vector side embeds: the wanted words, without exclusions, quotes or `or`. */
  vectorText: string;
  /** The excluded words and phrases as one websearch query ("otterbox or \"belt clip\""), or null: they exclude vector neighbours too. */
  exclusions: string | null;
}

/** Reads a normalized query (see `normalizeQuery`). */
export function planTextQuery(query: string): TextQueryPlan {
  const wanted: string[] = [];
  const excluded: string[] = [];
  // websearch_to_tsquery's syntax: "quoted phrases", -exclusions (of a word or a phrase), `or`.
  for (const [, minus, phrase, word] of query.matchAll(/(?:^|\s)(-?)(?:"([^"]*)"?|([^\s"]+))/g)) {
    const text = (phrase ?? word ?? "").trim();
    if (text === "" || (!minus && text === "or")) continue;
    if (minus) excluded.push(phrase === undefined ? text : `"${text}"`);
    else wanted.push(text);
  }
  return {
    query,
    prefixWord: prefixWord(query),
    sku: /^[\p{L}\p{N}._-]{1,64}$/u.test(query) ? query : null,
    vectorText: wanted.join(" "),
    exclusions: excluded.length ? excluded.join(" or ") : null,
  };
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
