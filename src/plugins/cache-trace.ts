import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";

/** The request header that asks for the cache summary. */
export const cacheTraceHeader = "x-cache-trace";

/**
 * With `x-cache-trace: 1`, the response's `extensions.cache` lists, per key family, the hits,
 * misses and store round trips of this request, and the total round trips.
 */
export function cacheTracePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      if (request.http?.headers.get(cacheTraceHeader) !== "1") return;
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== "single") return;
          const { families, roundTrips } = contextValue.cacheTrace;
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cache: { roundTrips, families },
          };
        },
      };
    },
  };
}
