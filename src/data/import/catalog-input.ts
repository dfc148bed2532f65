/**
 * What the importers and the generator hand to the catalog writer: plain records keyed by their
 * natural keys (a category's external id, a product's SKU), so a second run updates rather than
 * duplicates.
 */

/** The attribute types of the schema's `attribute_type` enum. */
export type AttributeType = "STRING" | "NUMBER" | "BOOLEAN";

/** A value of a product attribute; its JSON type must match its definition's type. */
export type AttributeValue = string | number | boolean;

/** A category keyed by its external id; `parentExternalId` is null for a root. */
export interface CategoryInput {
  externalId: string;
  name: string;
  parentExternalId: string | null;
}

/** An attribute definition on the category with `categoryExternalId`; descendants inherit it. */
export interface AttributeDefinitionInput {
  categoryExternalId: string;
  name: string;
  type: AttributeType;
  required: boolean;
  /** Empty: any value of the type. */
  allowedValues: string[];
  unit: string | null;
}

/** A product keyed by SKU. `price` is a decimal string with two decimals ("49.99"), as NUMERIC(12,2). */
export interface ProductInput {
  sku: string;
  name: string;
  description: string;
  brand: string;
  price: string;
  stock: number;
  popularity: number;
  attributes: Record<string, AttributeValue>;
  imageUrl: string | null;
  /** ISO timestamp used on insert only; now() when absent. */
  createdAt?: string;
}

/** A product whose category is known by external id (the generator's output). */
export interface CatalogProductInput extends ProductInput {
  categoryExternalId: string;
}

/** A whole catalog to write in one transaction: categories first, then definitions, then products. */
export interface CatalogInput {
  categories: CategoryInput[];
  attributeDefinitions: AttributeDefinitionInput[];
  products: CatalogProductInput[];
}

/** A record that was not written: `reason` is the rule it broke (rejections are grouped by it), `value` the bad value. */
export interface Rejection {
  entity: "category" | "product" | "attributeDefinition";
  /** What identifies the record: external id, SKU, or "#<index>" in its file. */
  key: string;
  reason: string;
  value?: string;
}

/** Outcome counts of one upsert; `unchanged` rows matched the input exactly and were not written. */
export interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** Counts that start at zero. */
export function emptyCounts(): UpsertCounts {
  return { created: 0, updated: 0, unchanged: 0, rejected: 0 };
}
