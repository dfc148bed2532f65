import DataLoader from "dataloader";
import { indexCategoryTree, type CategoryTree } from "./category-tree-index";
import type { ReadRepositories } from "../data/read-replicas";
import type { LoaderDeps } from "./deps";

export { createCategoryTreeCodec, indexCategoryTree, type CategoryTree, type NestedTreeNode, type TreeNode } from "./category-tree-index";

/** The whole tree (ids, parents, names, slugs, depths) in one entry, read through `cat:tree`. */
export function createCategoryTreeLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls, categoryTreeCodec } = deps;
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
  return new DataLoader<"tree", CategoryTree>(async (requests) =>
    (await readThrough.load(spec, requests)).map((tree) => tree ?? indexCategoryTree([])),
  );
}
