import type { ApolloServerPlugin } from "@apollo/server";
import type { DocumentNode, GraphQLSchema } from "graphql";
import type { Context } from "../context";
import { QueryTooComplexError } from "../errors";
import { defaultCostEstimates, isTooManyNodes, operationCost, type CostEstimates } from "../edge/operation-cost";
import { costTooHigh, defaultOperationLimits } from "../edge/operation-limits";

/** Variables remembered per document before its memo starts over. */
const MEMO_PER_DOCUMENT = 256;

/** The cost limit of executed operations: the Apollo plugin, and the same check for the fast path (src/execution/fast-path.ts). */
export interface OperationLimits {
  plugin: ApolloServerPlugin<Context>;
  /**
   * The cost of an operation the limit accepts; null when it refuses it or cannot estimate it
   * (variables that do not fit the operation): Apollo's pipeline then answers, with the plugin.
   */
  acceptedCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): number | null;
}

/**
 * The cost limit, per request (a cost depends on the variables: `first: $n`), once the operation is
 * resolved and before it executes. An accepted operation's cost is left in `contextValue.operationCost`
 * for metrics and rate limits. Depth, aliases, directives and tokens are checked earlier, by the
 * validation rules and the parser (src/edge/operation-limits.ts), once per document.
 */
export function createOperationLimits(
  maxCost: number = defaultOperationLimits.maxCost,
  estimates: CostEstimates = defaultCostEstimates,
): OperationLimits {
  // Apollo hands the same DocumentNode to every request of one query text (its document store), so
  // a cost is computed once per document, operation and variables (~40 us each), not per request.
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  const costOf = (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined) => {
    const key = `${operationName ?? ""}\0${JSON.stringify(variables ?? {})}`;
    let known = costs.get(document);
    const cached = known?.get(key);
    if (cached !== undefined) return cached;
    const cost = operationCost(schema, document, variables, operationName, estimates);
    if (!known || known.size >= MEMO_PER_DOCUMENT) costs.set(document, (known = new Map()));
    known.set(key, cost);
    return cost;
  };
  return {
    acceptedCost(schema, document, variables, operationName) {
      try {
        const cost = costOf(schema, document, variables, operationName);
        return cost > maxCost ? null : cost;
      } catch {
        return null;
      }
    },
    plugin: {
      async requestDidStart() {
        return {
          async didResolveOperation({ schema, document, request, contextValue }) {
            let cost: number;
            try {
              cost = costOf(schema, document, request.variables, request.operationName ?? undefined);
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
    },
  };
}
