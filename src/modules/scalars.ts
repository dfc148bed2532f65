import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { ErrorCode } from "../errors";
import { defaultJsonLimits, findJsonViolation, printJsonPath } from "../edge/json-limits";

/** ISO-8601 date-times, in and out. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDate(value: unknown): Date {
  const date = typeof value === "string" ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime must be an ISO-8601 string, got ${JSON.stringify(value)}`, {
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    });
  }
  return date;
}

/**
 * A JSON literal as a value, built with an explicit stack: a literal nested thousands of levels deep
 * must not overflow the call stack. Variables inside it take their (already coerced) values.
 */
function literal(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  const root: { value?: unknown } = {};
  const stack: { node: ValueNode; set: (value: unknown) => void }[] = [{ node: ast, set: (value) => (root.value = value) }];
  while (stack.length > 0) {
    const { node, set } = stack.pop()!;
    switch (node.kind) {
      case Kind.STRING:
      case Kind.BOOLEAN:
      case Kind.ENUM:
        set(node.value);
        break;
      case Kind.INT:
      case Kind.FLOAT:
        set(Number(node.value));
        break;
      case Kind.NULL:
        set(null);
        break;
      case Kind.VARIABLE:
        set(variables?.[node.name.value]);
        break;
      case Kind.LIST: {
        const list: unknown[] = new Array(node.values.length);
        set(list);
        node.values.forEach((value, i) => stack.push({ node: value, set: (item) => (list[i] = item) }));
        break;
      }
      case Kind.OBJECT: {
        const object: Record<string, unknown> = {};
        set(object);
        // defineProperty, not assignment: a field named __proto__ is data, as JSON.parse makes it.
        // Pushed last first, so the fields are defined in the document's order.
        for (const field of [...node.fields].reverse()) {
          stack.push({ node: field.value, set: (value) => Object.defineProperty(object, field.name.value, { value, enumerable: true, writable: true, configurable: true }) });
        }
        break;
      }
      default: {
        const never: never = node;
        throw new Error(`Unexpected literal ${JSON.stringify(never)}`);
      }
    }
  }
  return checked(root.value);
}

/** `value` if it is within the JSON limits (depth, size, strings PostgreSQL can store); else a BAD_USER_INPUT saying where. */
function checked(value: unknown): unknown {
  const violation = findJsonViolation(value, defaultJsonLimits);
  if (violation) {
    const at = violation.path.length ? printJsonPath(violation.path) : "the value";
    throw new GraphQLError(`JSON ${at} ${violation.problem}`, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  }
  return value;
}

/** Any JSON value, passed through. */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: "JSON",
  serialize: (value) => value,
  parseValue: checked,
  parseLiteral: literal,
});
