import DataLoader from "dataloader";
import { jsonCodec, rowCodec } from "../cache/codec";
import type { Product } from "../generated/prisma/client";
import { alignByKey } from "./align";
import type { ReadRepositories } from "../data/read-replicas";
import type { LoaderDeps } from "./deps";

/** Products by id, read through `prod:<id>`; a missing id is cached briefly as missing. */
export function createProductLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls, negativeTtlSeconds } = deps;
  const spec = {
    family: "prod" as const,
    key: (id: number) => keys.productKey(id),
    ttlSeconds: ttls.prod,
    negativeTtlSeconds,
    codec: rowCodec<Product>({ dates: ["createdAt", "updatedAt"], decimals: ["price"] }),
    replicaReads: true,
    load: async (ids: readonly number[], on: ReadRepositories = deps) => alignByKey(ids, await on.products.byIds(ids), (row) => row.id),
  };
  return new DataLoader<number, Product | null>((ids) => readThrough.load(spec, ids));
}

/** Product ids by SKU, read through `prod:sku:<sku>`; rows then come through the id loader. */
export function createProductSkuLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls, negativeTtlSeconds } = deps;
  const spec = {
    family: "prod:sku" as const,
    key: (sku: string) => keys.productSkuKey(sku),
    ttlSeconds: ttls["prod:sku"],
    negativeTtlSeconds,
    codec: jsonCodec<number>(),
    replicaReads: true,
    load: async (skus: readonly string[], on: ReadRepositories = deps) =>
      alignByKey(skus, await on.products.bySkus(skus), (row) => row.sku).map((row) => row?.id ?? null),
  };
  return new DataLoader<string, number | null>((skus) => readThrough.load(spec, skus));
}
