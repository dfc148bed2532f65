import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import type { GraphQLError, ValidationContext, ValidationRule } from "graphql";
import { QueryTooComplexError } from "../errors";

/**
 * Limits an operation must keep to before it runs (graphql-armor's rules, graphql-js's token limit
 * and a cost estimated by graphql-query-complexity, see ./operation-cost.ts). Each refusal is a
 * QUERY_TOO_COMPLEX naming the limit, with the limit and what the operation has. The defaults let
 * every documented query (README, examples/operations, the tests) through with room to spare.
 */
export interface OperationLimits {
  /** Deepest selection, fields counted from the root field (1) down, fragments included. Default 15. */
  maxDepth: number;
  /** Most aliased fields in an operation (`__typename` aliases are free). Default 15. */
  maxAliases: number;
  /** Most lexical tokens in a document; the parser stops at the next one. Default 2,000. */
  maxTokens: number;
  /** Most directives in an operation. Default 50. */
  maxDirectives: number;
  /** Largest estimated cost (./operation-cost.ts: one per field, times the list sizes above it). Default 50,000. */
  maxCost: number;
}

/** The defaults (MAX_QUERY_DEPTH, MAX_QUERY_ALIASES, MAX_QUERY_TOKENS, MAX_QUERY_DIRECTIVES, MAX_QUERY_COST). */
export const defaultOperationLimits: OperationLimits = {
  maxDepth: 15,
  maxAliases: 15,
  maxTokens: 2_000,
  maxDirectives: 50,
  maxCost: 50_000,
};

/** graphql-armor's depth, alias and directive rules, refusing with QUERY_TOO_COMPLEX instead of throwing. */
export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, ...refuseAs("depth", limits.maxDepth) }),
    maxAliasesRule({ n: limits.maxAliases, ...refuseAs("aliases", limits.maxAliases) }),
    maxDirectivesRule({ n: limits.maxDirectives, ...refuseAs("directives", limits.maxDirectives) }),
  ];
}

/** The refusal of an operation whose estimated cost is over the limit. */
export function costTooHigh(cost: number, maxCost: number): QueryTooComplexError {
  return new QueryTooComplexError("cost", cost, maxCost, `Operation cost ${cost} exceeds the limit of ${maxCost} (MAX_QUERY_COST)`);
}

const VARIABLES: Record<string, string> = { depth: "MAX_QUERY_DEPTH", aliases: "MAX_QUERY_ALIASES", directives: "MAX_QUERY_DIRECTIVES" };

// armor reports "Syntax Error: Query depth limit of 15 exceeded, found 16."; the numbers are read back from it.
function refuseAs(limit: string, max: number) {
  return {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const found = Number(/found (\d+)/.exec(error.message)?.[1] ?? NaN);
        context?.reportError(
          new QueryTooComplexError(limit, found, max, `Operation ${limit} ${found} exceeds the limit of ${max} (${VARIABLES[limit]})`),
        );
      },
    ],
  };
}
