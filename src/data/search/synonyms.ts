import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * Synonyms and abbreviations of search queries (config/synonyms.txt, SEARCH_SYNONYMS_FILE): applied
 * to the query, never to the documents, so the operator extends them without re-indexing. A rule
 * line is either `a, b, c` (equivalent terms) or `a => b, c` (a also finds b and c).
 */
export interface Synonyms {
  /** The alternatives of a term (itself first), or null when no rule names it. */
  alternativesOf(term: string): string[] | null;
  /** Longest term of any rule, in words (the query is matched greedily up to it). */
  readonly maxWords: number;
  /** A hash of the rules: part of every search cache key, so a change of rules is a new answer. */
  readonly version: string;
}

/** The rules the project ships (SEARCH_SYNONYMS_FILE's default). */
export const DEFAULT_SYNONYMS_FILE = path.resolve(__dirname, "../../../config/synonyms.txt");

/** No synonyms at all. */
export const noSynonyms: Synonyms = { alternativesOf: () => null, maxWords: 1, version: "none" };

/** Reads a rules file; a line that is not a rule fails with its number and text. */
export function loadSynonyms(file: string): Synonyms {
  return parseSynonyms(readFileSync(file, "utf8"), file);
}

/** Parses rules text (see `Synonyms`); `source` names it in errors. */
export function parseSynonyms(text: string, source = "synonyms"): Synonyms {
  const rules = new Map<string, string[]>();
  const add = (from: string, to: readonly string[]) => {
    const list = rules.get(from) ?? [from];
    for (const term of to) if (!list.includes(term)) list.push(term);
    rules.set(from, list);
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const [left, right, extra] = line.split("=>");
    // Normalized as queries are (see normalizeQuery), so a rule matches what the query became.
    const terms = (part: string) => part.split(",").map((term) => term.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase()).filter(Boolean);
    const from = terms(left);
    if (extra !== undefined || from.length === 0 || (right !== undefined && (from.length !== 1 || terms(right).length === 0))) {
      throw new Error(`${source}:${index + 1}: expected "a, b, c" or "a => b, c", got ${JSON.stringify(raw)}`);
    }
    if (right !== undefined) add(from[0], terms(right));
    else for (const term of from) add(term, from);
  });
  const maxWords = Math.max(1, ...[...rules.keys()].map((term) => term.split(" ").length));
  const version = createHash("sha1").update(JSON.stringify([...rules].sort())).digest("base64url").slice(0, 12);
  return { alternativesOf: (term) => rules.get(term) ?? null, maxWords, version };
}
