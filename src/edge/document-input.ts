import { Kind, type ASTVisitor, type ValidationContext, type ValidationRule, type ValueNode } from "graphql";
import { OperationNotSupportedError, RefusedInputError } from "../errors";
import { defaultJsonLimits, stringProblem, type JsonLimits } from "./json-limits";

/**
 * Validation rules on what a document itself carries: its literals obey the same bounds as variables
 * (no NUL, no lone surrogate, no string longer or value deeper than `limits`), and it is not a
 * subscription (the gateway serves queries and mutations over HTTP). Validation runs once per
 * document, before execution, so nothing refused here reaches a resolver or PostgreSQL.
 */
export function documentInputRules(limits: JsonLimits = defaultJsonLimits): ValidationRule[] {
  return [noSubscriptions, literalInput(limits)];
}

const noSubscriptions: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === "subscription") {
      context.reportError(new OperationNotSupportedError("Subscriptions are not supported: this gateway serves queries and mutations over HTTP"));
    }
  },
});

function literalInput(limits: JsonLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Argument(node) {
      checkLiteral(context, node.name.value, node.value, limits);
      return false;
    },
    VariableDefinition(node) {
      if (node.defaultValue) checkLiteral(context, node.variable.name.value, node.defaultValue, limits);
      return false;
    },
  });
}

// An explicit stack: a literal may be nested as deep as the token limit allows.
function checkLiteral(context: ValidationContext, name: string, value: ValueNode, limits: JsonLimits): void {
  const stack: { node: ValueNode; field: string; depth: number }[] = [{ node: value, field: name, depth: 0 }];
  while (stack.length > 0) {
    const { node, field, depth } = stack.pop()!;
    if (node.kind === Kind.STRING) {
      const problem = stringProblem(node.value, limits.maxStringLength);
      if (problem) return context.reportError(new RefusedInputError(`${field} ${problem}`, field));
    } else if (node.kind === Kind.LIST || node.kind === Kind.OBJECT) {
      if (depth >= limits.maxDepth) {
        return context.reportError(new RefusedInputError(`${field} is nested deeper than ${limits.maxDepth} levels`, field));
      }
      if (node.kind === Kind.LIST) {
        node.values.forEach((item, i) => stack.push({ node: item, field: `${field}[${i}]`, depth: depth + 1 }));
      } else {
        for (const item of node.fields) stack.push({ node: item.value, field: `${field}.${item.name.value}`, depth: depth + 1 });
      }
    }
  }
}
