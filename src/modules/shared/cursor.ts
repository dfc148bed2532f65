import { createHash } from "node:crypto";
import { BadUserInputError } from "../../errors";

/**
 * A short tag of what a cursor belongs to (a listing's category, filter and order), kept in the
 * cursor so another listing refuses it instead of paging from a row it never listed.
 */
export function cursorTagOf(owner: unknown): string {
  return createHash("sha1").update(JSON.stringify(owner)).digest("base64url").slice(0, 12);
}

/** An opaque cursor: a JSON array, base64url encoded. Clients pass it back unread. */
export function encodeOpaqueCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/** The array inside a cursor; anything that is not one is a BAD_USER_INPUT on `field` saying what it should be. */
export function decodeOpaqueCursor(text: string, field: string, what: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed)) throw new BadUserInputError(`${field} is not ${what}: ${JSON.stringify(text)}`, field);
  return parsed;
}
