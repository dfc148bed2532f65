import { BadUserInputError } from "../../errors";
import { decodeOpaqueCursor, encodeOpaqueCursor } from "../shared/cursor";
import { FACET_FIELDS, type FacetField } from "../../data/search/facets";
import { normalizeQuery } from "../../data/search/text-query";
import type { SearchEntry } from "../../loaders/search-deps";

/** Limits of search and autocomplete arguments (from the SEARCH_* and AUTOCOMPLETE_* settings). */
export interface SearchLimits {
  maxQueryLength: number;
  defaultPageSize: number;
  maxPageSize: number;
  autocomplete: { defaultLimit: number; maxLimit: number };
}

/** A search query, normalized; empty (after trimming) or longer than the maximum is a BAD_USER_INPUT. */
export function parseSearchQuery(text: string, limits: SearchLimits, field = "query"): string {
  const query = normalizeQuery(text);
  if (query === "") throw new BadUserInputError(`${field} must contain something to search for, got ${JSON.stringify(text)}`, field);
  if (query.length > limits.maxQueryLength) {
    throw new BadUserInputError(`${field} must be at most ${limits.maxQueryLength} characters, got ${query.length}`, field);
  }
  return query;
}

/** The facets asked for (default all), each a known field; an unknown one is a BAD_USER_INPUT naming it. */
export function parseFacets(fields: readonly string[] | null | undefined, field = "facets"): Set<FacetField> {
  if (fields === null || fields === undefined) return new Set(FACET_FIELDS);
  return new Set(
    fields.map((name, i) => {
      if (!(FACET_FIELDS as readonly string[]).includes(name)) {
        throw new BadUserInputError(`${field}[${i}] must be one of ${FACET_FIELDS.join(", ")}, got ${JSON.stringify(name)}`, `${field}[${i}]`);
      }
      return name as FacetField;
    }),
  );
}

/** An autocomplete `limit`: 1..max, default from the settings. */
export function parseSuggestionLimit(limit: number | null | undefined, limits: SearchLimits, field = "limit"): number {
  if (limit === null || limit === undefined) return limits.autocomplete.defaultLimit;
  if (limit < 1 || limit > limits.autocomplete.maxLimit) {
    throw new BadUserInputError(`${field} must be between 1 and ${limits.autocomplete.maxLimit}, got ${limit}`, field);
  }
  return limit;
}

/** An opaque search cursor: the search it belongs to (a hash) and the score and id of the last hit, base64url JSON. */
export function encodeSearchCursor(searchHash: string, hit: [number, number]): string {
  return encodeOpaqueCursor(["s", searchHash, hit[1], hit[0]]);
}

/** Reads a cursor of this search; a malformed one, or one of another search, is a BAD_USER_INPUT. */
export function decodeSearchCursor(text: string | null | undefined, searchHash: string, field = "after"): { score: number; id: number } | null {
  if (text === null || text === undefined) return null;
  const parsed = decodeOpaqueCursor(text, field, "a cursor returned by search");
  if (parsed.length !== 4 || parsed[0] !== "s" || typeof parsed[2] !== "number" || !Number.isSafeInteger(parsed[3])) {
    throw new BadUserInputError(`${field} is not a cursor returned by search: ${JSON.stringify(text)}`, field);
  }
  if (parsed[1] !== searchHash) throw new BadUserInputError(`${field} belongs to another search (other query, filter or mode)`, field);
  return { score: parsed[2], id: parsed[3] as number };
}

/**
 * One page of a ranked window: the hits strictly after the cursor in (score desc, id asc) order.
 * Keyed on the last hit, not on an offset, so a page asked after the ranking was recomputed (a
 * write retired the entry) neither repeats nor skips the hits that kept their place.
 */
export function pageOf(entry: Pick<SearchEntry, "hits">, after: { score: number; id: number } | null, first: number) {
  const start = after === null ? 0 : entry.hits.findIndex(([id, score]) => score < after.score || (score === after.score && id > after.id));
  const from = start < 0 ? entry.hits.length : start;
  const hits = entry.hits.slice(from, from + first);
  return { hits, hasNextPage: from + first < entry.hits.length };
}
