import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";

/**
 * Marks a response the whole-response cache may keep: a query (never a mutation), with no error,
 * whose every value came from the cache as observed (`cacheTrace.complete`; resolvers that answer
 * from elsewhere, such as cacheStats and search, clear it).
 */
export function responseCachePlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, response, contextValue }) {
          contextValue.response.cacheable =
            operation?.operation === "query" &&
            response.body.kind === "single" &&
            !response.body.singleResult.errors?.length &&
            contextValue.cacheTrace.complete;
        },
      };
    },
  };
}
