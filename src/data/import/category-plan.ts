import type { CategoryInput, Rejection } from "./catalog-input";
import { MAX_CATEGORY_NAME_LENGTH } from "./bestbuy-categories";
import { createSlugAllocator } from "./slug";

/** A row of the categories table, as the writer reads and writes it. */
export interface CategoryRow {
  id: number;
  externalId: string | null;
  name: string;
  slug: string;
  parentId: number | null;
  /** Materialized path of ids including the category itself: "/1/7/42/". */
  path: string;
  /** Number of ancestors; 0 for a root. */
  depth: number;
}

/** What to write so the table holds `inputs` on top of what it already holds. */
export interface CategoryPlan {
  /** New rows, parents before children. */
  inserts: CategoryRow[];
  /** Existing rows whose name, parent, path or depth changes (a move changes the whole subtree's paths). */
  updates: CategoryRow[];
  /** Inputs that match their row exactly. */
  unchanged: number;
  rejections: Rejection[];
  /** Every category after the write, parents before children. */
  rows: CategoryRow[];
}

/** How many new ids `planCategories` may need: one per input whose external id is not in the table yet. */
export function newCategoryCount(existing: readonly CategoryRow[], inputs: readonly CategoryInput[]): number {
  const known = new Set(existing.map((row) => row.externalId));
  return new Set(inputs.filter((input) => !known.has(input.externalId)).map((input) => input.externalId)).size;
}

/**
 * Plans an idempotent upsert of categories by external id. New categories take ids from `newIds`
 * (reserved from the sequence) and a fresh slug; existing ones keep their id and slug (slugs are
 * stable across imports) and may be renamed or moved. Inputs may come in any order; an input whose
 * parent is unknown, rejected, or would put it under its own descendant is rejected, not written.
 */
export function planCategories(
  existing: readonly CategoryRow[],
  inputs: readonly CategoryInput[],
  newIds: readonly number[],
): CategoryPlan {
  const state = new Map(existing.map((row) => [row.id, { ...row }]));
  const idByExternalId = new Map(existing.filter((row) => row.externalId !== null).map((row) => [row.externalId!, row.id]));
  const rejections: Rejection[] = [];
  const accepted = placeInputs(state, idByExternalId, uniqueInputs(inputs, rejections), [...newIds], rejections);
  const rows = withPaths(state);
  allocateSlugs(rows, new Set(existing.map((row) => row.id)), existing.map((row) => row.slug));
  const before = new Map(existing.map((row) => [row.id, row]));
  const updates = rows.filter((row) => before.has(row.id) && changed(before.get(row.id)!, row));
  const updatedIds = new Set(updates.map((row) => row.id));
  return {
    inserts: rows.filter((row) => !before.has(row.id)),
    updates,
    unchanged: [...accepted].filter((id) => before.has(id) && !updatedIds.has(id)).length,
    rejections,
    rows,
  };
}

function uniqueInputs(inputs: readonly CategoryInput[], rejections: Rejection[]): CategoryInput[] {
  const seen = new Set<string>();
  return inputs.filter((input) => {
    const problem = inputProblem(input, seen);
    if (problem) rejections.push({ entity: "category", key: input.externalId, reason: problem, value: JSON.stringify(input.name) });
    seen.add(input.externalId);
    return problem === null;
  });
}

function inputProblem(input: CategoryInput, seen: Set<string>): string | null {
  if (seen.has(input.externalId)) return "external id is a duplicate";
  if (input.name.trim() === "") return "name is missing";
  if (input.name.length > MAX_CATEGORY_NAME_LENGTH) return `name is longer than ${MAX_CATEGORY_NAME_LENGTH} characters`;
  if (input.parentExternalId === input.externalId) return "category is its own parent";
  return null;
}

// Decides each input once its parent is decided (passes until nothing moves); returns accepted ids.
function placeInputs(
  state: Map<number, CategoryRow>,
  idByExternalId: Map<string, number>,
  inputs: CategoryInput[],
  newIds: number[],
  rejections: Rejection[],
): Set<number> {
  const pending = new Map(inputs.map((input) => [input.externalId, input]));
  const rejected = new Set<string>();
  const accepted = new Set<number>();
  const reject = (input: CategoryInput, reason: string, value: string) => {
    rejections.push({ entity: "category", key: input.externalId, reason, value });
    rejected.add(input.externalId);
    pending.delete(input.externalId);
  };
  for (let progress = true; progress && pending.size > 0; ) {
    progress = false;
    for (const input of [...pending.values()]) {
      const parentExternalId = input.parentExternalId;
      if (parentExternalId !== null && pending.has(parentExternalId)) continue;
      progress = true;
      if (parentExternalId !== null && rejected.has(parentExternalId)) {
        reject(input, "parent was rejected", `${JSON.stringify(input.name)} under ${parentExternalId}`);
        continue;
      }
      const parentId = parentExternalId === null ? null : idByExternalId.get(parentExternalId);
      if (parentId === undefined) {
        reject(input, "parent was not found", `${JSON.stringify(input.name)} under ${parentExternalId}`);
        continue;
      }
      const id = idByExternalId.get(input.externalId) ?? newIds.shift();
      if (id === undefined) throw new Error(`planCategories ran out of reserved ids at ${input.externalId}`);
      if (parentId !== null && isAncestorOrSelf(state, id, parentId)) {
        reject(input, "parent is the category itself or one of its descendants", `${JSON.stringify(input.name)} under ${parentExternalId}`);
        continue;
      }
      const row = state.get(id);
      state.set(id, { id, externalId: input.externalId, name: input.name, slug: row?.slug ?? "", parentId, path: row?.path ?? "", depth: row?.depth ?? 0 });
      idByExternalId.set(input.externalId, id);
      pending.delete(input.externalId);
      accepted.add(id);
    }
  }
  for (const input of pending.values()) reject(input, "parent chain loops", `${JSON.stringify(input.name)} under ${input.parentExternalId}`);
  return accepted;
}

function isAncestorOrSelf(state: Map<number, CategoryRow>, ancestorId: number, id: number): boolean {
  for (let at: number | null = id, steps = 0; at !== null && steps <= state.size; at = state.get(at)?.parentId ?? null, steps++) {
    if (at === ancestorId) return true;
  }
  return false;
}

// Recomputes every path and depth from the parents, breadth first, so parents come before children.
function withPaths(state: Map<number, CategoryRow>): CategoryRow[] {
  const children = new Map<number | null, CategoryRow[]>();
  for (const row of state.values()) {
    const siblings = children.get(row.parentId);
    if (siblings) siblings.push(row);
    else children.set(row.parentId, [row]);
  }
  const rows: CategoryRow[] = [];
  let level = children.get(null) ?? [];
  for (let depth = 0; level.length > 0; depth++) {
    for (const row of level) {
      const parentPath = row.parentId === null ? "/" : state.get(row.parentId)!.path;
      Object.assign(row, { depth, path: `${parentPath}${row.id}/` });
      rows.push(row);
    }
    level = level.flatMap((row) => children.get(row.id) ?? []);
  }
  return rows;
}

function allocateSlugs(rows: CategoryRow[], existingIds: Set<number>, takenSlugs: string[]): void {
  const allocator = createSlugAllocator(takenSlugs);
  const slugById = new Map(rows.map((row) => [row.id, row.slug]));
  for (const row of rows) {
    if (existingIds.has(row.id)) continue;
    row.slug = allocator.allocate(row.name, row.parentId === null ? null : slugById.get(row.parentId)!);
    slugById.set(row.id, row.slug);
  }
}

function changed(before: CategoryRow, after: CategoryRow): boolean {
  return before.name !== after.name || before.parentId !== after.parentId || before.path !== after.path || before.depth !== after.depth;
}
