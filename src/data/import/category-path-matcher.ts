/** A category as the matcher sees it: its id, name and parent. */
export interface CategoryNode {
  id: number;
  name: string;
  parentId: number | null;
}

/** Where a path of names landed: the deepest category matched and how many levels matched. */
export interface PathMatch {
  categoryId: number;
  matchedLevels: number;
  /** True when every level of the path matched. */
  exact: boolean;
  /**
   * Names past the matched prefix that were found further down, below levels the path leaves out
   * (present only then): the product file's "Cell Phone Accessories > Internal Batteries" is the
   * tree's "Cell Phone Accessories > Cell Phone Batteries & Power > Internal Batteries".
   */
  foundBelow?: number;
}

/** Finds the category of a path of names ("Cell Phones" > "Prepaid Phones" > ...). */
export type CategoryPathMatcher = (namePath: readonly string[]) => PathMatch | null;

/** Names compare case-insensitively, with runs of white space collapsed. */
export function nameKey(name: string): string {
  return name.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();
}

/**
 * Matches a path of names level by level from the roots. When only a prefix matches, the rest of
 * the names are looked for further down, in order, each the shallowest (then lowest id) category
 * of that name below the last one found: a path that leaves out a level of the tree still lands in
 * its own category, whose name the search document then holds. Failing that, the deepest matching
 * category is the answer; null when not even the root matches. Siblings may share a name (the
 * Best Buy tree has a few): the one that matches deepest wins, then the lowest id.
 */
export function createCategoryPathMatcher(nodes: readonly CategoryNode[]): CategoryPathMatcher {
  const children = childrenByName(nodes);
  const deepest = (parentId: number | null, namePath: readonly string[], level: number): { id: number; levels: number } | null => {
    const candidates = children.get(parentId)?.get(nameKey(namePath[level])) ?? [];
    let best: { id: number; levels: number } | null = null;
    for (const id of candidates) {
      const below = level + 1 < namePath.length ? deepest(id, namePath, level + 1) : null;
      const found = below ?? { id, levels: level + 1 };
      if (!best || found.levels > best.levels) best = found;
      if (best.levels === namePath.length) break;
    }
    return best;
  };
  // The shallowest category named `name` strictly below `ancestorId`, lowest id first among equals.
  const below = (ancestorId: number, name: string): number | null => {
    let level = [...(children.get(ancestorId)?.values() ?? [])].flat();
    while (level.length > 0) {
      const named = level.filter((id) => nameKey(names.get(id)!) === name).sort((a, b) => a - b);
      if (named.length > 0) return named[0];
      level = level.flatMap((id) => [...(children.get(id)?.values() ?? [])].flat());
    }
    return null;
  };
  const names = new Map(nodes.map((node) => [node.id, node.name]));
  return (namePath) => {
    if (namePath.length === 0) return null;
    const found = deepest(null, namePath, 0);
    if (!found) return null;
    let categoryId = found.id;
    let foundBelow = 0;
    for (let level = found.levels; level < namePath.length; level++) {
      const id = below(categoryId, nameKey(namePath[level]));
      if (id === null) break;
      categoryId = id;
      foundBelow++;
    }
    const match: PathMatch = { categoryId, matchedLevels: found.levels, exact: found.levels === namePath.length };
    return foundBelow > 0 ? { ...match, foundBelow } : match;
  };
}

function childrenByName(nodes: readonly CategoryNode[]): Map<number | null, Map<string, number[]>> {
  const children = new Map<number | null, Map<string, number[]>>();
  for (const node of [...nodes].sort((a, b) => a.id - b.id)) {
    let byName = children.get(node.parentId);
    if (!byName) children.set(node.parentId, (byName = new Map()));
    const key = nameKey(node.name);
    const ids = byName.get(key);
    if (ids) ids.push(node.id);
    else byName.set(key, [node.id]);
  }
  return children;
}
