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

/**
 * The attribute inheritance rule: the definitions that apply to a category whose path holds
 * `categoryIds` (root first, the category last) are its own and its ancestors'; when a name is
 * defined at several levels, the nearest (deepest) one wins. The result is ordered by name. Used by
 * the attribute loader, the services' checks and the importer alike.
 */
export function applicableDefinitions<D extends { name: string }, Id = number>(
  categoryIds: readonly Id[],
  definitionsByCategory: ReadonlyMap<Id, readonly D[]>,
): Map<string, D> {
  const byName = new Map<string, D>();
  for (const id of categoryIds) {
    for (const definition of definitionsByCategory.get(id) ?? []) byName.set(definition.name, definition);
  }
  return new Map([...byName].sort(([a], [b]) => a.localeCompare(b)));
}

/** Definitions (or anything that names its category) grouped by category id, in the order given. */
export function groupByCategory<D extends { categoryId: number }>(rows: readonly D[]): Map<number, D[]> {
  const byCategory = new Map<number, D[]>();
  for (const row of rows) {
    const list = byCategory.get(row.categoryId);
    if (list) list.push(row);
    else byCategory.set(row.categoryId, [row]);
  }
  return byCategory;
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
