import DataLoader from "dataloader";
import { jsonCodec } from "../cache/codec";
import { groupByKey } from "./align";
import type { LoaderDeps } from "./deps";

/** Child ids of categories (null: the top-level ones), ordered by name, read through `cat:<id>:children`. */
export function createCategoryChildrenLoader({ readThrough, keys, ttls, categories }: LoaderDeps) {
  const spec = {
    family: "cat:children" as const,
    // Ids start at 1, so 0 stands for "no parent": the top-level categories.
    key: (parentId: number | null) => keys.categoryChildrenKey(parentId ?? 0),
    ttlSeconds: ttls["cat:children"],
    codec: jsonCodec<number[]>(),
    load: async (parentIds: readonly (number | null)[]) =>
      groupByKey(parentIds, await categories.childIds(parentIds), (row) => row.parentId).map((rows) =>
        rows.map((row) => row.id),
      ),
  };
  return new DataLoader<number | null, number[]>(async (parentIds) =>
    (await readThrough.load(spec, parentIds)).map((ids) => ids ?? []),
  );
}
