import DataLoader from "dataloader";
import { jsonCodec } from "../cache/codec";
import { idsOnPath } from "../data/repositories/category-repository";
import type { AttributeDefinition } from "../generated/prisma/client";
import type { LoaderDeps } from "./deps";

/** A category as the attribute loader needs it: its id and materialized path. */
export interface CategoryRef {
  id: number;
  path: string;
}

/**
 * The attribute definitions that apply to a category: its own and its ancestors', the nearest
 * winning on a name clash. Read through `attrs:cat:<id>`, stamped with the attribute generation of
 * every category on the path, so a change on an ancestor retires its whole subtree with one INCR.
 */
export function createCategoryAttributesLoader({ readThrough, keys, ttls, categories }: LoaderDeps) {
  const spec = {
    family: "attrs:cat" as const,
    key: (ref: CategoryRef) => keys.categoryAttributesKey(ref.id),
    ttlSeconds: ttls["attrs:cat"],
    codec: jsonCodec<AttributeDefinition[]>(),
    dependsOn: (ref: CategoryRef) => idsOnPath(ref.path).map((id) => keys.generationKey("attrs:cat", id)),
    load: async (refs: readonly CategoryRef[]) => {
      const pathIds = [...new Set(refs.flatMap((ref) => idsOnPath(ref.path)))];
      const definitions = await categories.attributeDefinitions(pathIds);
      return refs.map((ref) => applicable(idsOnPath(ref.path), definitions));
    },
  };
  return new DataLoader<CategoryRef, AttributeDefinition[], number>(
    async (refs) => (await readThrough.load(spec, refs)).map((defs) => defs ?? []),
    { cacheKeyFn: (ref) => ref.id },
  );
}

// Walks the path from the category up, so a definition nearer the category hides an ancestor's.
function applicable(path: number[], definitions: AttributeDefinition[]): AttributeDefinition[] {
  const byName = new Map<string, AttributeDefinition>();
  for (const categoryId of [...path].reverse()) {
    for (const definition of definitions) {
      if (definition.categoryId === categoryId && !byName.has(definition.name)) byName.set(definition.name, definition);
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
