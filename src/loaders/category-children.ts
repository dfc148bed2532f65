import DataLoader from "dataloader";
import { jsonCodec } from "../cache/codec";
import { TOP_LEVEL } from "../catalog";
import { groupByKey } from "./align";
import type { ReadRepositories } from "../data/read-replicas";
import type { LoaderDeps } from "./deps";

/** Child ids of categories (TOP_LEVEL: the top-level ones), ordered by name, read through `cat:<id>:children`. */
export function createCategoryChildrenLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls } = deps;
  const spec = {
    family: "cat:children" as const,
    key: (parentId: number) => keys.categoryChildrenKey(parentId),
    ttlSeconds: ttls["cat:children"],
    codec: jsonCodec<number[]>(),
    replicaReads: true,
    load: async (parentIds: readonly number[], on: ReadRepositories = deps) => {
      const rows = await on.categories.childIds(parentIds.map((id) => (id === TOP_LEVEL ? null : id)));
      return groupByKey(parentIds, rows, (row) => row.parentId ?? TOP_LEVEL).map((children) => children.map((row) => row.id));
    },
  };
  return new DataLoader<number, number[]>(async (parentIds) => (await readThrough.load(spec, parentIds)).map((ids) => ids ?? []));
}
