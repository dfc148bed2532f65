import { applicableDefinitions, groupByCategory } from "../../data/attribute-inheritance";
import { attributeIssues, type AttributeDefinition } from "../../data/import/attribute-validation";
import { idsOnPath } from "../../catalog";
import { BadUserInputError, NotFoundError } from "../../errors";
import type { Category } from "../../generated/prisma/client";
import type { Tx } from "./writer";

/** The category a write refers to, or NOT_FOUND on `field`. */
export async function existingCategory(tx: Tx, id: number, field: string): Promise<Category> {
  const category = await tx.category.findUnique({ where: { id } });
  if (!category) throw new NotFoundError("Category", field, String(id));
  return category;
}

/**
 * The attribute definitions that apply at each of `paths` (own and inherited, the nearest
 * winning), as the transaction sees them: one query, then a lookup per path.
 */
export async function definitionsResolver(tx: Tx, paths: readonly string[]): Promise<(path: string) => Map<string, AttributeDefinition>> {
  const ids = [...new Set(paths.flatMap(idsOnPath))];
  const rows = await tx.attributeDefinition.findMany({ where: { categoryId: { in: ids } } });
  const byCategory = groupByCategory(rows);
  const memo = new Map<string, Map<string, AttributeDefinition>>();
  return (path) => {
    let definitions = memo.get(path);
    if (!definitions) memo.set(path, (definitions = applicableDefinitions(idsOnPath(path), byCategory)));
    return definitions;
  };
}

/** The attribute definitions that apply at `path`. */
export async function definitionsAt(tx: Tx, path: string): Promise<Map<string, AttributeDefinition>> {
  return (await definitionsResolver(tx, [path]))(path);
}

/** Throws BAD_USER_INPUT naming the first attribute that does not fit the definitions (`field.<name>`). */
export function checkAttributes(attributes: unknown, definitions: ReadonlyMap<string, AttributeDefinition>, field: string): void {
  const [issue] = attributeIssues(attributes, definitions);
  if (issue) throw new BadUserInputError(issue.message, issue.attribute ? `${field}.${issue.attribute}` : field);
}

/**
 * After a change of definitions or of ancestry under `path`, every product in that subtree must
 * still fit what applies to its category; the first that does not is reported (by SKU) and the
 * whole write is rolled back. One query for the products, one for the definitions.
 */
export async function checkSubtreeProducts(tx: Tx, path: string, field: string): Promise<void> {
  const products = await tx.$queryRaw<{ sku: string; attributes: unknown; path: string }[]>`
    SELECT p.sku, p.attributes, c.path
    FROM products p JOIN categories c ON c.id = p.category_id
    WHERE c.path LIKE ${`${path}%`}`;
  if (products.length === 0) return;
  const definitions = await definitionsResolver(tx, [...new Set(products.map((product) => product.path))]);
  for (const product of products) {
    const [issue] = attributeIssues(product.attributes, definitions(product.path));
    if (issue) {
      throw new BadUserInputError(
        `The change would leave product ${JSON.stringify(product.sku)} invalid: ${issue.message}`,
        issue.attribute ? `${field}.${issue.attribute}` : field,
      );
    }
  }
}
