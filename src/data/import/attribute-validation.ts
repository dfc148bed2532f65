import type { AttributeType } from "./catalog-input";

/** An attribute definition as stored, without its category. */
export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  required: boolean;
  /** Empty: any value of the type. */
  allowedValues: string[];
  unit: string | null;
}

/** What is wrong with `attributes` under `definitions`, one message per problem; empty when valid. */
export function attributeProblems(attributes: unknown, definitions: ReadonlyMap<string, AttributeDefinition>): string[] {
  return attributeIssues(attributes, definitions).map((issue) => issue.message);
}

/** Like `attributeProblems`, with the attribute each problem is about (null: the whole object). */
export function attributeIssues(
  attributes: unknown,
  definitions: ReadonlyMap<string, AttributeDefinition>,
): { attribute: string | null; message: string }[] {
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
    return [{ attribute: null, message: `attributes must be a JSON object, got ${JSON.stringify(attributes)}` }];
  }
  const issues: { attribute: string | null; message: string }[] = [];
  const values = attributes as Record<string, unknown>;
  for (const [name, value] of Object.entries(values)) {
    const definition = definitions.get(name);
    const problem = definition ? valueProblem(definition, value) : `attribute "${name}" is not defined for this category`;
    if (problem) issues.push({ attribute: name, message: problem });
  }
  for (const definition of definitions.values()) {
    if (definition.required && values[definition.name] === undefined) {
      issues.push({ attribute: definition.name, message: `attribute "${definition.name}" is required` });
    }
  }
  return issues;
}

function valueProblem(definition: AttributeDefinition, value: unknown): string | null {
  const shown = JSON.stringify(value);
  if (!hasType(definition.type, value)) return `attribute "${definition.name}" must be a ${definition.type}, got ${shown}`;
  if (definition.allowedValues.length > 0 && !definition.allowedValues.includes(String(value))) {
    return `attribute "${definition.name}" must be one of ${JSON.stringify(definition.allowedValues)}, got ${shown}`;
  }
  return null;
}

function hasType(type: AttributeType, value: unknown): boolean {
  switch (type) {
    case "STRING":
      return typeof value === "string";
    case "NUMBER":
      return typeof value === "number" && Number.isFinite(value);
    case "BOOLEAN":
      return typeof value === "boolean";
    default: {
      const never: never = type;
      throw new Error(`Unknown attribute type ${JSON.stringify(never)}`);
    }
  }
}
