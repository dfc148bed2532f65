import { BadUserInputError } from "../../errors";
import type { AttributeDefinitionInput } from "../../generated/graphql";

/** Longest category name, in characters (the column's CHECK says the same). */
export const MAX_CATEGORY_NAME_LENGTH = 200;
/** Most attribute definitions one category may own. */
export const MAX_DEFINITIONS = 100;
const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** An attribute definition after validation, ready to insert. */
export interface DefinitionFields {
  name: string;
  type: "STRING" | "NUMBER" | "BOOLEAN";
  required: boolean;
  allowedValues: string[];
  unit: string | null;
}

export function parseCategoryName(name: string, field: string): string {
  const trimmed = name.trim().replace(/\s+/g, " ");
  if (trimmed.length === 0 || trimmed.length > MAX_CATEGORY_NAME_LENGTH) {
    throw new BadUserInputError(`${field} must have 1 to ${MAX_CATEGORY_NAME_LENGTH} characters, got ${JSON.stringify(name.slice(0, 80))}`, field);
  }
  return trimmed;
}

export function parseSlug(slug: string, field: string): string {
  if (!SLUG_PATTERN.test(slug) || slug.length > 120) {
    throw new BadUserInputError(`${field} must be lower-case letters and digits in words joined by single hyphens (at most 120), got ${JSON.stringify(slug.slice(0, 80))}`, field);
  }
  return slug;
}

/** Validates a category's own attribute definitions: names unique and well formed, allowed values only for STRING. */
export function parseDefinitions(inputs: readonly AttributeDefinitionInput[], field: string): DefinitionFields[] {
  if (inputs.length > MAX_DEFINITIONS) throw new BadUserInputError(`${field} takes at most ${MAX_DEFINITIONS} definitions`, field);
  const seen = new Set<string>();
  return inputs.map((input, i) => {
    const at = `${field}[${i}]`;
    if (!ATTRIBUTE_NAME.test(input.name)) {
      throw new BadUserInputError(`${at}.name must start with a letter and hold letters, digits or "_" (at most 100), got ${JSON.stringify(input.name)}`, `${at}.name`);
    }
    if (seen.has(input.name)) throw new BadUserInputError(`${at}.name ${JSON.stringify(input.name)} is defined twice`, `${at}.name`);
    seen.add(input.name);
    const allowedValues = [...new Set(input.allowedValues ?? [])];
    if (allowedValues.length > 0 && input.type !== "STRING") {
      throw new BadUserInputError(`${at}.allowedValues applies to STRING attributes only, not ${input.type}`, `${at}.allowedValues`);
    }
    return { name: input.name, type: input.type, required: input.required ?? false, allowedValues, unit: input.unit?.trim() || null };
  });
}
