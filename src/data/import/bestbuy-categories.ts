import type { CategoryInput, Rejection } from "./catalog-input";
import { cleanName, preview, typeName } from "./record-text";

/**
 * Parsing of Best Buy's category file (see shared/data/README.md): a pure function from the JSON
 * records to category inputs, with a rejection (rule + bad value) for each record that cannot be used.
 */

/** Longest category name the schema accepts (categories.name CHECK). */
export const MAX_CATEGORY_NAME_LENGTH = 200;

/** The categories of the file, parents before children (by depth, then by first appearance). */
export interface ParsedCategories {
  categories: CategoryInput[];
  /** How many of `categories` exist only inside other records' `path` (they have no record). */
  fromPathsOnly: number;
  rejections: Rejection[];
}

interface PathEntry {
  id: string;
  name: string | null;
  parentId: string | null;
  /** Order of first sighting in the file, for a stable output order. */
  seen: number;
  hasRecord: boolean;
  recordIndex: number;
}

/**
 * Categories from the records and from their `path`s: an ancestor that has no record of its own is
 * created from the path (its id and name are there). A record's own entry wins over what other
 * records' paths say about it. A nameless category, and any descendant of a rejected one, is rejected.
 */
export function parseBestBuyCategories(records: unknown): ParsedCategories {
  if (!Array.isArray(records)) throw new Error(`A categories file must hold a JSON array of records, got ${typeName(records)}`);
  const entries = new Map<string, PathEntry>();
  const rejections: Rejection[] = [];
  records.forEach((record, index) => collectRecord(record, index, entries, rejections));
  const rejected = rejectNameless(entries, rejections);
  const depthOf = depthResolver(entries, rejected, rejections);
  const kept = [...entries.values()].filter((entry) => depthOf(entry.id) !== null);
  kept.sort((a, b) => depthOf(a.id)! - depthOf(b.id)! || a.seen - b.seen);
  return {
    categories: kept.map((entry) => ({ externalId: entry.id, name: entry.name!, parentExternalId: entry.parentId })),
    fromPathsOnly: kept.filter((entry) => !entry.hasRecord).length,
    rejections,
  };
}

function collectRecord(record: unknown, index: number, entries: Map<string, PathEntry>, rejections: Rejection[]): void {
  const problem = recordShapeProblem(record);
  if (problem) {
    rejections.push({ entity: "category", key: recordKey(record, index), reason: problem, value: preview(record) });
    return;
  }
  const { id, name, path } = record as { id: string; name: unknown; path: { id: string; name: unknown }[] };
  path.forEach((step, level) => {
    const parentId = level === 0 ? null : path[level - 1].id;
    const own = level === path.length - 1;
    const existing = entries.get(step.id);
    if (own && existing?.hasRecord) {
      rejections.push({ entity: "category", key: id, reason: "id is a duplicate", value: `record #${index} repeats record #${existing.recordIndex}` });
      return;
    }
    if (existing && (existing.hasRecord || !own)) return;
    entries.set(step.id, {
      id: step.id,
      name: cleanName(own ? name : step.name),
      parentId,
      seen: existing?.seen ?? entries.size,
      hasRecord: own,
      recordIndex: own ? index : -1,
    });
  });
}

function recordShapeProblem(record: unknown): string | null {
  if (typeof record !== "object" || record === null) return "record is not an object";
  const { id, path } = record as { id?: unknown; path?: unknown };
  if (typeof id !== "string" || id.trim() === "") return "id is missing";
  if (!Array.isArray(path) || path.length === 0) return "path is missing";
  if (!path.every((step) => typeof step?.id === "string" && step.id !== "")) return "path has a step without an id";
  if (path[path.length - 1].id !== id) return "path does not end with the record's own id";
  if (new Set(path.map((step: { id: string }) => step.id)).size !== path.length) return "path repeats an id";
  return null;
}

function rejectNameless(entries: Map<string, PathEntry>, rejections: Rejection[]): Set<string> {
  const rejected = new Set<string>();
  for (const entry of entries.values()) {
    const reason =
      entry.name === null
        ? "name is missing"
        : entry.name.length > MAX_CATEGORY_NAME_LENGTH
          ? `name is longer than ${MAX_CATEGORY_NAME_LENGTH} characters`
          : null;
    if (!reason) continue;
    rejected.add(entry.id);
    rejections.push({ entity: "category", key: entry.id, reason, value: describeEntry(entry, entries) });
  }
  return rejected;
}

// Depth of each entry (root = 0), or null when it or an ancestor is rejected or its parent chain loops.
// Iterative, so a long chain cannot overflow the stack.
function depthResolver(entries: Map<string, PathEntry>, rejected: Set<string>, rejections: Rejection[]) {
  const depths = new Map<string, number | null>();
  return (start: string): number | null => {
    const chain: string[] = [];
    const onChain = new Set<string>();
    let at: string | null = start;
    while (at !== null && !depths.has(at) && !onChain.has(at)) {
      onChain.add(at);
      chain.push(at);
      at = entries.get(at)!.parentId;
    }
    const loops = at !== null && onChain.has(at);
    let depth: number | null = at === null ? -1 : loops ? null : depths.get(at)!;
    for (const id of chain.reverse()) {
      const entry = entries.get(id)!;
      if (rejected.has(id)) depth = null;
      else if (depth === null) {
        const reason = loops ? "parent chain loops" : "parent was rejected";
        rejections.push({ entity: "category", key: id, reason, value: describeEntry(entry, entries) });
      } else depth += 1;
      depths.set(id, depth);
    }
    return depths.get(start)!;
  };
}

function describeEntry(entry: PathEntry, entries: Map<string, PathEntry>): string {
  const names: string[] = [];
  for (let at: PathEntry | undefined = entry, guard = 0; at && guard < 20; at = at.parentId ? entries.get(at.parentId) : undefined, guard++) {
    names.unshift(at.name ?? "(no name)");
  }
  const where = entry.hasRecord ? `record #${entry.recordIndex}` : "from a path";
  return `${JSON.stringify(entry.name)} at ${names.join(" > ")} (${where})`;
}

function recordKey(record: unknown, index: number): string {
  const id = (record as { id?: unknown } | null)?.id;
  return typeof id === "string" && id !== "" ? id : `#${index}`;
}

