import { BadUserInputError } from "../../errors";

/** Parses a GraphQL ID of an integer-keyed entity; anything else is a BAD_USER_INPUT on `field`. */
export function parseId(value: string, field: string): number {
  const id = /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id > 2_147_483_647) {
    throw new BadUserInputError(`${field} must be a positive integer id, got ${JSON.stringify(value)}`, field);
  }
  return id;
}

/** Validates a page size: 0..max, defaulting to `defaultSize`. */
export function parseFirst(first: number | null | undefined, limits: { defaultPageSize: number; maxPageSize: number }, field = "first"): number {
  if (first === null || first === undefined) return limits.defaultPageSize;
  if (first < 0) throw new BadUserInputError(`${field} must not be negative, got ${first}`, field);
  if (first > limits.maxPageSize) {
    throw new BadUserInputError(`${field} must be at most ${limits.maxPageSize}, got ${first}`, field);
  }
  return first;
}
