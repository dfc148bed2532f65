import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";
import { intentsOf, noticesOf } from "../modules/search/search-notices";

/**
 * Copies the notices resolvers recorded (e.g. HYBRID search answered from text only because the
 * vector index is unavailable) into the response's `extensions.notices`, and the searches' category
 * intents into `extensions.categoryIntents`, each with the path of its field.
 */
export function searchNoticesPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const notices = noticesOf(contextValue);
          const categoryIntents = intentsOf(contextValue);
          if ((notices.length === 0 && categoryIntents.length === 0) || response.body.kind !== "single") return;
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            ...(notices.length ? { notices } : {}),
            ...(categoryIntents.length ? { categoryIntents } : {}),
          };
        },
      };
    },
  };
}
