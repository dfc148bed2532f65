import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";
import { RefusedInputError } from "../errors";
import { defaultJsonLimits, type JsonLimits } from "../edge/json-limits";
import { checkInput } from "../edge/request-body";

/**
 * `variables` and `extensions` within the input limits for every operation Apollo runs, GET
 * requests included (the HTTP handler checks POST bodies first, before the response cache hashes
 * them). Before execution, so no string with a NUL or a lone surrogate reaches PostgreSQL.
 */
export function inputLimitsPlugin(limits: JsonLimits = defaultJsonLimits): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request }) {
          const refused = refusedInput(request, limits);
          if (refused) throw refused;
        },
      };
    },
  };
}

/** The refusal of a request whose `variables` or `extensions` exceed `limits`, else null (also the fast path's check). */
export function refusedInput(request: { variables?: unknown; extensions?: unknown }, limits: JsonLimits = defaultJsonLimits): RefusedInputError | null {
  for (const [name, value] of [["variables", request.variables], ["extensions", request.extensions]] as const) {
    const refused = checkInput(name, value, limits);
    if (refused) return new RefusedInputError(refused.message, refused.field);
  }
  return null;
}
