import { jsonCodec, memoizedCodec, type Codec } from "../cache/codec";
import type { TreeNode } from "../data/repositories/category-repository";

export type { TreeNode } from "../data/repositories/category-repository";

/** A tree node with its children nested down to some depth, as `categoryTree` returns it. */
export interface NestedTreeNode {
  node: TreeNode;
  children: NestedTreeNode[];
}

/**
 * The whole category tree, indexed. One value serves every request that read the same `cat:tree`
 * entry (see `createCategoryTreeCodec`): it is read-only, and what it derives is memoized in it.
 */
export interface CategoryTree {
  readonly nodes: readonly TreeNode[];
  node(id: number): TreeNode | undefined;
  /** Children of `parentId` (null: the top level), ordered by name then id. */
  childrenOf(parentId: number | null): readonly TreeNode[];
  /** The top level with children nested `maxDepth` levels below it (0: the top level alone). */
  nested(maxDepth: number): NestedTreeNode[];
}

/** The tree over `nodes` (in name order, as the repository returns them). */
export function indexCategoryTree(nodes: readonly TreeNode[]): CategoryTree {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const children = new Map<number | null, TreeNode[]>();
  for (const node of nodes) {
    const siblings = children.get(node.parentId);
    if (siblings) siblings.push(node);
    else children.set(node.parentId, [node]);
  }
  const nestedByDepth = new Map<number, NestedTreeNode[]>();
  const childrenOf = (parentId: number | null) => children.get(parentId) ?? [];
  const nest = (parentId: number | null, level: number, maxDepth: number): NestedTreeNode[] =>
    childrenOf(parentId).map((node) => ({ node, children: level < maxDepth ? nest(node.id, level + 1, maxDepth) : [] }));
  return {
    nodes,
    node: (id) => byId.get(id),
    childrenOf,
    nested: (maxDepth) => {
      let nested = nestedByDepth.get(maxDepth);
      if (!nested) nestedByDepth.set(maxDepth, (nested = nest(null, 0, maxDepth)));
      return nested;
    },
  };
}

/**
 * The process's codec of `cat:tree`: the nodes as JSON, decoded (and indexed) once per distinct
 * entry text, so a warm tree costs one store read and no parse per request. Created once by the
 * composition root and handed to every request's loaders.
 */
export function createCategoryTreeCodec(): Codec<CategoryTree> {
  const nodes = jsonCodec<TreeNode[]>();
  return memoizedCodec({
    encode: (tree) => nodes.encode([...tree.nodes]),
    decode: (text) => indexCategoryTree(nodes.decode(text)),
  });
}
