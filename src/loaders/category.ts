import DataLoader from "dataloader";
import { rowCodec, jsonCodec } from "../cache/codec";
import type { Category } from "../generated/prisma/client";
import { alignByKey } from "./align";
import type { ReadRepositories } from "../data/read-replicas";
import type { LoaderDeps } from "./deps";

/** Categories by id, read through `cat:<id>`; a missing id is cached briefly as missing. */
export function createCategoryLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls, negativeTtlSeconds } = deps;
  const spec = {
    family: "cat" as const,
    key: (id: number) => keys.categoryKey(id),
    ttlSeconds: ttls.cat,
    negativeTtlSeconds,
    codec: rowCodec<Category>({ dates: ["createdAt", "updatedAt"] }),
    replicaReads: true,
    load: async (ids: readonly number[], on: ReadRepositories = deps) => alignByKey(ids, await on.categories.byIds(ids), (row) => row.id),
  };
  return new DataLoader<number, Category | null>((ids) => readThrough.load(spec, ids));
}

/** Category ids by slug, read through `cat:slug:<slug>`; rows then come through the id loader. */
export function createCategorySlugLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls, negativeTtlSeconds } = deps;
  const spec = {
    family: "cat:slug" as const,
    key: (slug: string) => keys.categorySlugKey(slug),
    ttlSeconds: ttls["cat:slug"],
    negativeTtlSeconds,
    codec: jsonCodec<number>(),
    replicaReads: true,
    load: async (slugs: readonly string[], on: ReadRepositories = deps) =>
      alignByKey(slugs, await on.categories.bySlugs(slugs), (row) => row.slug).map((row) => row?.id ?? null),
  };
  return new DataLoader<string, number | null>((slugs) => readThrough.load(spec, slugs));
}
