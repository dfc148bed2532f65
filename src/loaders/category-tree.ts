import DataLoader from "dataloader";
import { indexCategoryTree, type CategoryTree } from "./category-tree-index";
import type { LoaderDeps } from "./deps";

export { createCategoryTreeCodec, indexCategoryTree, type CategoryTree, type NestedTreeNode, type TreeNode } from "./category-tree-index";

/** The whole tree (ids, parents, names, slugs, depths) in one entry, read through `cat:tree`. */
export function createCategoryTreeLoader({ readThrough, keys, ttls, categories, categoryTreeCodec }: LoaderDeps) {
  const spec = {
    family: "cat:tree" as const,
    key: () => keys.categoryTreeKey(),
    ttlSeconds: ttls["cat:tree"],
    codec: categoryTreeCodec,
    load: async (requests: readonly "tree"[]) => {
      const tree = indexCategoryTree(await categories.tree());
      return requests.map(() => tree);
    },
  };
  return new DataLoader<"tree", CategoryTree>(async (requests) =>
    (await readThrough.load(spec, requests)).map((tree) => tree ?? indexCategoryTree([])),
  );
}
