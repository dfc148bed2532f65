import DataLoader from "dataloader";
import { indexCategoryTree, type CategoryTree } from "./category-tree-index";
import type { ReadRepositories } from "../data/read-replicas";
import type { LoaderDeps } from "./deps";

export { createCategoryTreeCodec, indexCategoryTree, type CategoryTree, type NestedTreeNode, type TreeNode } from "./category-tree-index";

/**
 * The whole tree (ids, parents, names, slugs, depths) in one entry, read through `cat:tree`; a warm
 * read is served from the process's decoded copy after one small counter read (`categoryTreeMemo`,
 * src/cache/process-memo.ts), not by a GET of the whole entry.
 */
export function createCategoryTreeLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls, categoryTreeCodec, categoryTreeMemo } = deps;
  const spec = {
    family: "cat:tree" as const,
    key: () => keys.categoryTreeKey(),
    ttlSeconds: ttls["cat:tree"],
    codec: categoryTreeCodec,
    replicaReads: true,
    load: async (requests: readonly "tree"[], on: ReadRepositories = deps) => {
      const tree = indexCategoryTree(await on.categories.tree());
      return requests.map(() => tree);
    },
  };
  return new DataLoader<"tree", CategoryTree>(async (requests) => {
    const tree = (await readThrough.loadMemoized(spec, "tree", categoryTreeMemo)) ?? indexCategoryTree([]);
    return requests.map(() => tree);
  });
}
