import DataLoader from "dataloader";
import { jsonCodec } from "../cache/codec";
import type { TreeEdge } from "../data/repositories/category-repository";
import type { LoaderDeps } from "./deps";

/** The whole tree as id/parent pairs (siblings in name order), read through `cat:tree`. */
export function createCategoryTreeLoader({ readThrough, keys, ttls, categories }: LoaderDeps) {
  const spec = {
    family: "cat:tree" as const,
    key: () => keys.categoryTreeKey(),
    ttlSeconds: ttls["cat:tree"],
    codec: jsonCodec<TreeEdge[]>(),
    load: async (requests: readonly "tree"[]) => {
      const edges = await categories.tree();
      return requests.map(() => edges);
    },
  };
  return new DataLoader<"tree", TreeEdge[]>(async (requests) =>
    (await readThrough.load(spec, requests)).map((edges) => edges ?? []),
  );
}
