import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";
import { QueryTooComplexError } from "../errors";
import { defaultCostEstimates, isTooManyNodes, operationCost, type CostEstimates } from "../edge/operation-cost";
import { costTooHigh, defaultOperationLimits } from "../edge/operation-limits";

/**
 * The cost limit, per request (a cost depends on the variables: `first: $n`), once the operation is
 * resolved and before it executes. An accepted operation's cost is left in `contextValue.operationCost`
 * for metrics and rate limits. Depth, aliases, directives and tokens are checked earlier, by the
 * validation rules and the parser (src/edge/operation-limits.ts), once per document.
 */
export function operationLimitsPlugin(
  maxCost: number = defaultOperationLimits.maxCost,
  estimates: CostEstimates = defaultCostEstimates,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, contextValue }) {
          let cost: number;
          try {
            cost = operationCost(schema, document, request.variables, request.operationName ?? undefined, estimates);
          } catch (error) {
            if (isTooManyNodes(error)) throw new QueryTooComplexError("cost", null, maxCost, `Operation has too many selections to estimate its cost: ${error.message}`);
            // Variables that do not fit the operation: execution refuses them (BAD_USER_INPUT) before any resolver.
            return;
          }
          if (cost > maxCost) throw costTooHigh(cost, maxCost);
          contextValue.operationCost = cost;
        },
      };
    },
  };
}
