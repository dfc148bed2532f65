import type { AttributeValue, ProductInput, Rejection } from "./catalog-input";
import { cleanName, preview, typeName } from "./record-text";

/**
 * Parsing of Best Buy's product file (see shared/data/README.md): pure functions from the JSON
 * records to product inputs, with a rejection (rule + bad value) for each record that cannot be used.
 */

/** Longest product name the schema accepts (products.name CHECK). */
export const MAX_PRODUCT_NAME_LENGTH = 300;

/** A product of the file; its category is still a path of names, matched against the tree later. */
export interface ParsedProduct extends ProductInput {
  categoryPath: string[];
}

/** The products of the file that can be imported, and a rejection for each of the others. */
export interface ParsedProducts {
  products: ParsedProduct[];
  rejections: Rejection[];
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
  if (!Array.isArray(records)) throw new Error(`A products file must hold a JSON array of records, got ${typeName(records)}`);
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
