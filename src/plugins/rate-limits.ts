import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";
import type { RateLimitRefusal, RateLimits } from "../edge/rate-limit";
import { RateLimitedError } from "../errors";

/**
 * The rate limits (src/edge/rate-limit.ts) of an executed request: once the operation is resolved
 * and its cost known, before it runs, its cost is charged to the caller (the token's subject, else
 * the client IP), a mutation also to the writes budget, a bad token also to the IP's failed-auth
 * budget; a spent budget answers RATE_LIMITED (429, `Retry-After`). A request answered before that
 * (a parse or validation error, an operation over a limit) is charged 1 when it is answered.
 *
 * A request the fast path (src/execution/fast-path.ts) charged and then handed to Apollo is not
 * charged again: its verdict (`record.rateRefusal`) is answered as it was decided.
 *
 * Listed after operationLimitsPlugin: Apollo starts every `didResolveOperation` hook in list order,
 * and that plugin sets `operationCost` before its first await, so the cost is there when this reads it.
 */
export function rateLimitsPlugin(limits: RateLimits): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let retryAfterSeconds: number | null = null;
      return {
        async didResolveOperation({ contextValue, operation }) {
          const { record } = contextValue;
          const refusal = record.rateCharged ? (record.rateRefusal ?? null) : await chargeOperation(limits, contextValue, contextValue.operationCost ?? 1, operation?.operation === "mutation");
          if (!refusal) return;
          retryAfterSeconds = refusal.retryAfterSeconds;
          throw new RateLimitedError(refusal.budget, refusal.retryAfterSeconds);
        },
        async willSendResponse({ contextValue, response }) {
          if (retryAfterSeconds !== null) response.http.headers.set("retry-after", String(retryAfterSeconds));
          if (!contextValue.record.rateCharged) await chargeOperation(limits, contextValue, 1, false);
        },
      };
    },
  };
}

/** Spends `cost` of the request's budgets (marking its record charged, with the verdict); the refusal when one is spent. */
export async function chargeOperation(limits: RateLimits, context: Context, cost: number, write: boolean): Promise<RateLimitRefusal | null> {
  const { authentication, record } = context;
  record.rateCharged = true;
  const refusal = await limits.charge(
    {
      ip: record.clientIp,
      subject: authentication.kind === "viewer" ? authentication.viewer.subject : null,
      failedAuth: authentication.kind === "invalid",
      write,
    },
    cost,
  );
  record.rateRefusal = refusal;
  return refusal;
}
