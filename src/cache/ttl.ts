import type { Family } from "./keys";

/** Time to live of each key family, seconds (DESIGN.md's table); overridden by CACHE_TTL_* settings. */
export type FamilyTtls = Record<Family, number>;

export const defaultFamilyTtls: FamilyTtls = {
  cat: 3600,
  "cat:slug": 3600,
  "cat:tree": 1800,
  "cat:children": 1800,
  "attrs:cat": 1800,
  prod: 1800,
  "prod:sku": 1800,
  "prods:cat": 900,
  search: 600,
  stats: 300,
  resp: 300,
};

/** How long a missing id or SKU is remembered as missing, seconds. Default 30. */
export const defaultNegativeTtlSeconds = 30;
