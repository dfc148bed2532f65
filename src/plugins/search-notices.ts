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
          if (response.body.kind !== "single") return;
          response.body.singleResult.extensions = withSearchNotices(response.body.singleResult.extensions, contextValue);
        },
      };
    },
  };
}

/** `extensions` with the request's notices and category intents added (as they were when there are none; also the fast path's). */
export function withSearchNotices(extensions: Record<string, unknown> | undefined, context: Context): Record<string, unknown> | undefined {
  const notices = noticesOf(context);
  const categoryIntents = intentsOf(context);
  if (notices.length === 0 && categoryIntents.length === 0) return extensions;
  return {
    ...extensions,
    ...(notices.length ? { notices } : {}),
    ...(categoryIntents.length ? { categoryIntents } : {}),
  };
}
