import { BadUserInputError } from "../../errors";
import type { ProductRecord } from "../../data/import/catalog-writer";
import type { CreateProductInput, UpdateProductInput } from "../../generated/graphql";
import { parseId } from "../shared/args";
import { parsePrice } from "./product-args";

/** Longest product name, in characters (the column's CHECK says the same). */
export const MAX_PRODUCT_NAME_LENGTH = 300;
/** Longest description, in characters. */
export const MAX_DESCRIPTION_LENGTH = 10_000;
const SKU_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const INT32_MAX = 2_147_483_647;

/** A product's writable fields after validation: what the database will hold. */
export type ProductFields = ProductRecord;

function text(value: string, field: string, max: number, { allowEmpty = false } = {}): string {
  const trimmed = value.trim();
  if ((!allowEmpty && trimmed.length === 0) || trimmed.length > max) {
    throw new BadUserInputError(`${field} must have ${allowEmpty ? 0 : 1} to ${max} characters, got ${JSON.stringify(value.slice(0, 80))}`, field);
  }
  return trimmed;
}

function sku(value: string, field: string): string {
  if (!SKU_PATTERN.test(value)) {
    throw new BadUserInputError(`${field} must be 1 to 64 letters, digits, '.', '_' or '-', got ${JSON.stringify(value.slice(0, 80))}`, field);
  }
  return value;
}

function count(value: number, field: string, min: number): number {
  if (!Number.isInteger(value) || value < min || value > INT32_MAX) {
    throw new BadUserInputError(`${field} must be a whole number from ${min} to ${INT32_MAX}, got ${value}`, field);
  }
  return value;
}

function attributes(value: unknown, field: string): ProductFields["attributes"] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BadUserInputError(`${field} must be a JSON object of attribute values, got ${JSON.stringify(value)}`, field);
  }
  for (const [name, item] of Object.entries(value)) {
    if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
      throw new BadUserInputError(`${field}.${name} must be a string, number or boolean, got ${JSON.stringify(item)}`, `${field}.${name}`);
    }
  }
  return value as ProductFields["attributes"];
}

function imageUrl(value: string | null | undefined, field: string): string | null {
  if (value == null || value === "") return null;
  if (value.length > 2000 || !/^https?:\/\/\S+$/.test(value)) {
    throw new BadUserInputError(`${field} must be an http(s) URL of at most 2000 characters, got ${JSON.stringify(value.slice(0, 80))}`, field);
  }
  return value;
}

/** Validates a new product's fields (`prefix` names the input in errors: "input", "rows[3]"). */
export function parseCreateProduct(input: CreateProductInput, prefix = "input"): ProductFields {
  return {
    sku: sku(input.sku, `${prefix}.sku`),
    name: text(input.name, `${prefix}.name`, MAX_PRODUCT_NAME_LENGTH),
    description: text(input.description ?? "", `${prefix}.description`, MAX_DESCRIPTION_LENGTH, { allowEmpty: true }),
    brand: text(input.brand, `${prefix}.brand`, 200),
    price: parsePrice(input.price, `${prefix}.price`),
    stock: count(input.stock ?? 0, `${prefix}.stock`, 0),
    popularity: count(input.popularity ?? 0, `${prefix}.popularity`, 0),
    attributes: attributes(input.attributes ?? {}, `${prefix}.attributes`),
    imageUrl: imageUrl(input.imageUrl, `${prefix}.imageUrl`),
    categoryId: parseId(input.categoryId, `${prefix}.categoryId`),
  };
}

/** Validates the fields an update sets; fields left out (or null) keep their value. */
export function parseUpdateProduct(input: UpdateProductInput, prefix = "input"): Partial<ProductFields> {
  const out: Partial<ProductFields> = {};
  if (input.sku != null) out.sku = sku(input.sku, `${prefix}.sku`);
  if (input.name != null) out.name = text(input.name, `${prefix}.name`, MAX_PRODUCT_NAME_LENGTH);
  if (input.description != null) out.description = text(input.description, `${prefix}.description`, MAX_DESCRIPTION_LENGTH, { allowEmpty: true });
  if (input.brand != null) out.brand = text(input.brand, `${prefix}.brand`, 200);
  if (input.price != null) out.price = parsePrice(input.price, `${prefix}.price`);
  if (input.stock != null) out.stock = count(input.stock, `${prefix}.stock`, 0);
  if (input.popularity != null) out.popularity = count(input.popularity, `${prefix}.popularity`, 0);
  if (input.attributes != null) out.attributes = attributes(input.attributes, `${prefix}.attributes`);
  if (input.imageUrl !== undefined) out.imageUrl = imageUrl(input.imageUrl, `${prefix}.imageUrl`);
  if (input.categoryId != null) out.categoryId = parseId(input.categoryId, `${prefix}.categoryId`);
  if (Object.keys(out).length === 0) throw new BadUserInputError(`${prefix} sets no field`, prefix);
  return out;
}
