import { ErrorCode } from "../errors";
import { defaultJsonLimits, findJsonViolation, printJsonPath, type JsonLimits } from "./json-limits";

/** A refused request, shaped as the HTTP handler's edge checks answer one (src/http-handler.ts, EdgeRefusal). */
export interface InputRefusal {
  status: number;
  code: string;
  message: string;
  field: string;
}

/**
 * The first check of a GraphQL request, before anything hashes, caches or coerces it: `variables`
 * and `extensions` of each operation in `body` (one, or a batch) within `limits`. Returns the
 * refusal (BAD_USER_INPUT, `field` the path, HTTP 400 like Apollo's variable errors), or null when
 * the body may go on. Anything that is not an operation is left to Apollo to refuse.
 */
export function checkRequestBody(body: unknown, limits: JsonLimits = defaultJsonLimits): InputRefusal | null {
  const operations = Array.isArray(body) ? body : [body];
  for (const operation of operations) {
    if (typeof operation !== "object" || operation === null) continue;
    for (const part of ["variables", "extensions"] as const) {
      const refusal = checkInput(part, (operation as Record<string, unknown>)[part], limits);
      if (refusal) return refusal;
    }
  }
  return null;
}

/** The refusal for the first violation of `limits` in `value`, the input named `name` (e.g. "variables"), or null. */
export function checkInput(name: string, value: unknown, limits: JsonLimits = defaultJsonLimits): InputRefusal | null {
  if (value === undefined || value === null) return null;
  const violation = findJsonViolation(value, limits);
  if (!violation) return null;
  const field = printJsonPath([name, ...violation.path]);
  return { status: 400, code: ErrorCode.BAD_USER_INPUT, message: `${field} ${violation.problem}`, field };
}
