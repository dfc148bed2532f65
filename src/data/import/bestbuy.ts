import type { AttributeValue, CategoryInput, ProductInput, Rejection } from "./catalog-input";

/**
 * Parsing of the Best Buy open data set (see shared/data/README.md): pure functions from the JSON
 * records to catalog inputs, with a rejection (rule + bad value) for each record that cannot be used.
 */

/** Longest category name the schema accepts (categories.name CHECK). */
export const MAX_CATEGORY_NAME_LENGTH = 200;
/** Longest product name the schema accepts (products.name CHECK). */
export const MAX_PRODUCT_NAME_LENGTH = 300;

/** The categories of the file, parents before children (by depth, then by first appearance). */
export interface ParsedCategories {
  categories: CategoryInput[];
  /** How many of `categories` exist only inside other records' `path` (they have no record). */
  fromPathsOnly: number;
  rejections: Rejection[];
}

/** A product of the file; its category is still a path of names, matched against the tree later. */
export interface ParsedProduct extends ProductInput {
  categoryPath: string[];
}

export interface ParsedProducts {
  products: ParsedProduct[];
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

/** Collapses runs of white space, so "Home  Monitoring" and "Home Monitoring" are one name. */
export function cleanName(name: unknown): string | null {
  if (typeof name !== "string") return null;
  const cleaned = name.replace(/\s+/g, " ").trim();
  return cleaned === "" ? null : cleaned;
}

/**
 * Categories from the records and from their `path`s: an ancestor that has no record of its own is
 * created from the path (its id and name are there). A record's own entry wins over what other
 * records' paths say about it. A nameless category, and any descendant of a rejected one, is rejected.
 */
export function parseBestBuyCategories(records: unknown): ParsedCategories {
  if (!Array.isArray(records)) throw new Error(`A categories file must hold a JSON array of records, got ${typeOf(records)}`);
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

/**
 * The Best Buy SKU of a product: the leading number of its image file name
 * (".../4344800_sb.jpg" -> "4344800"); null when the file name does not start with digits.
 */
export function extractSku(imageUrl: unknown): string | null {
  if (typeof imageUrl !== "string") return null;
  const fileName = imageUrl.split(/[?#]/)[0].split("/").pop() ?? "";
  return /^(\d+)(?=[_.\-]|$)/.exec(fileName)?.[1] ?? null;
}

/**
 * Attributes that the product names state plainly: `color` from a trailing " - White" segment
 * (Best Buy names read "Brand - Product - Color"; a carrier in parentheses is dropped), and
 * `storageGb` (a number, in GB) from "16GB" / "9.5GB" / "1TB".
 */
export function deriveAttributes(name: string): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  const color = colorOf(name);
  if (color) attributes.color = color;
  const storageGb = storageGbOf(name);
  if (storageGb !== null) attributes.storageGb = storageGb;
  return attributes;
}

function colorOf(name: string): string | null {
  const segments = name.split(" - ");
  if (segments.length < 3) return null;
  const tail = segments[segments.length - 1].replace(/\s*\([^)]*\)\s*$/, "").trim();
  // A color is a short phrase; "Essentials Bundle for Apple® iPhone® 7" is a product, not a color.
  if (tail === "" || tail.length > 32 || /\d|®|™|\bfor\b/i.test(tail)) return null;
  return tail.replace(/\b[a-z]/g, (letter) => letter.toUpperCase());
}

function storageGbOf(name: string): number | null {
  const match = /(\d+(?:\.\d+)?)\s?(GB|TB)\b/i.exec(name);
  if (!match) return null;
  const amount = Number(match[1]);
  return match[2].toUpperCase() === "TB" ? amount * 1024 : amount;
}

/**
 * Products of the file. SKU from the image file name; a duplicate SKU, a missing name or brand, or a
 * price that is not a non-negative amount with at most two decimals rejects the record.
 */
export function parseBestBuyProducts(records: unknown): ParsedProducts {
  if (!Array.isArray(records)) throw new Error(`A products file must hold a JSON array of records, got ${typeOf(records)}`);
  const products: ParsedProduct[] = [];
  const rejections: Rejection[] = [];
  const firstIndexOfSku = new Map<string, number>();
  records.forEach((record, index) => {
    const parsed = parseProduct(record, index);
    if ("reason" in parsed) return void rejections.push(parsed);
    const first = firstIndexOfSku.get(parsed.sku);
    if (first !== undefined) {
      rejections.push({ entity: "product", key: parsed.sku, reason: "SKU is a duplicate", value: `record #${index} repeats record #${first}` });
      return;
    }
    firstIndexOfSku.set(parsed.sku, index);
    products.push(parsed);
  });
  return { products, rejections };
}

function parseProduct(record: unknown, index: number): ParsedProduct | Rejection {
  const reject = (reason: string, value: unknown): Rejection => ({ entity: "product", key: `#${index}`, reason, value: preview(value) });
  if (typeof record !== "object" || record === null) return reject("record is not an object", record);
  const r = record as Record<string, unknown>;
  const sku = extractSku(r.image);
  if (!sku) return reject("image file name has no SKU number", r.image);
  const withSku = (rejection: Rejection): Rejection => ({ ...rejection, key: sku });
  const name = cleanName(r.name);
  if (!name) return withSku(reject("name is missing", r.name));
  if (name.length > MAX_PRODUCT_NAME_LENGTH) return withSku(reject(`name is longer than ${MAX_PRODUCT_NAME_LENGTH} characters`, name));
  const brand = cleanName(r.brand);
  if (!brand) return withSku(reject("brand is missing", r.brand));
  const price = priceText(r.price);
  if (price === null) return withSku(reject("price is not a non-negative amount with at most two decimals", r.price));
  const categoryPath = Array.isArray(r.categories) ? r.categories.map(cleanName) : [];
  if (categoryPath.length === 0 || categoryPath.some((step) => step === null)) {
    return withSku(reject("categories is not a path of names", r.categories));
  }
  return {
    sku,
    name,
    description: typeof r.description === "string" ? r.description.trim() : "",
    brand,
    price,
    stock: demoStockOf(sku),
    popularity: Number.isSafeInteger(r.popularity) ? Math.max(-2_147_483_648, Math.min(2_147_483_647, r.popularity as number)) : 0,
    attributes: deriveAttributes(name),
    imageUrl: typeof r.image === "string" ? r.image : null,
    categoryPath: categoryPath as string[],
  };
}

/** "49.99" for 49.99; null for a negative, non-finite, too large or sub-cent amount. */
export function priceText(price: unknown): string | null {
  const value = typeof price === "string" && price.trim() !== "" ? Number(price) : price;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value >= 1e10) return null;
  const cents = Math.round(value * 100);
  if (Math.abs(cents - value * 100) > 1e-6) return null;
  return (cents / 100).toFixed(2);
}

/**
 * The data set has no stock levels; listings and stats need some, so each SKU gets a fixed one
 * (0 to 99, about one in ten out of stock), the same on every import.
 */
export function demoStockOf(sku: string): number {
  let hash = 2_166_136_261;
  for (const char of sku) hash = Math.imul(hash ^ char.charCodeAt(0), 16_777_619) >>> 0;
  return hash % 10 === 0 ? 0 : (hash >>> 8) % 100;
}

function typeOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

function recordKey(record: unknown, index: number): string {
  const id = (record as { id?: unknown } | null)?.id;
  return typeof id === "string" && id !== "" ? id : `#${index}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
