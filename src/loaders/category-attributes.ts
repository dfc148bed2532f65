import DataLoader from "dataloader";
import { jsonCodec } from "../cache/codec";
import { applicableDefinitions, groupByCategory } from "../data/attribute-inheritance";
import { idsOnPath } from "../catalog";
import type { AttributeDefinition } from "../generated/prisma/client";
import type { ReadRepositories } from "../data/read-replicas";
import type { LoaderDeps } from "./deps";

/** A category as the attribute loader needs it: its id and materialized path. */
export interface CategoryRef {
  id: number;
  path: string;
}

/**
 * The attribute definitions that apply to a category (`applicableDefinitions`: its own and its
 * ancestors', the nearest winning on a name clash, ordered by name). Read through `attrs:cat:<id>`,
 * stamped with the attribute generation of every category on the path, so a change on an ancestor
 * retires its whole subtree with one INCR.
 */
export function createCategoryAttributesLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls } = deps;
  const spec = {
    family: "attrs:cat" as const,
    key: (ref: CategoryRef) => keys.categoryAttributesKey(ref.id),
    ttlSeconds: ttls["attrs:cat"],
    codec: jsonCodec<AttributeDefinition[]>(),
    dependsOn: (ref: CategoryRef) => idsOnPath(ref.path).map((id) => keys.generationKey("attrs:cat", id)),
    replicaReads: true,
    load: async (refs: readonly CategoryRef[], on: ReadRepositories = deps) => {
      const onPaths = [...new Set(refs.flatMap((ref) => idsOnPath(ref.path)))];
      const byCategory = groupByCategory(await on.categories.attributeDefinitions(onPaths));
      return refs.map((ref) => [...applicableDefinitions(idsOnPath(ref.path), byCategory).values()]);
    },
  };
  return new DataLoader<CategoryRef, AttributeDefinition[], number>(
    async (refs) => (await readThrough.load(spec, refs)).map((defs) => defs ?? []),
    { cacheKeyFn: (ref) => ref.id },
  );
}
