/**
 * The attribute inheritance rule, in one place for every reader and writer: the attribute loader
 * (what `Category.attributes` shows), the services' checks (what a product write may store) and the
 * importer (which rows it accepts).
 */

/**
 * The attribute inheritance rule: the definitions that apply to a category whose path holds
 * `categoryIds` (root first, the category last) are its own and its ancestors'; when a name is
 * defined at several levels, the nearest (deepest) one wins. The result is ordered by name.
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
