/**
 * Facts about the catalog's shape that every layer shares (keys, repositories, loaders, services).
 * Neutral: it imports nothing, so any layer may import it without pointing upwards.
 */

/**
 * The id that stands for "no parent": the top level. Ids start at 1, and DataLoader takes no null
 * key, so the top-level children list is keyed 0 (`cat:0:children`).
 */
export const TOP_LEVEL = 0;

/** Ids of the categories on a materialized path "/1/7/42/", root first, the category itself last. */
export function idsOnPath(path: string): number[] {
  return path.split("/").filter(Boolean).map(Number);
}
