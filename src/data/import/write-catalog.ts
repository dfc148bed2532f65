import { applicableDefinitions } from "../attribute-inheritance";
import { lockCatalogExclusive } from "../catalog-lock";
import type { SqlRunner } from "../database";
import { idsOnPath } from "../../catalog";
import { attributeProblems, type AttributeDefinition } from "./attribute-validation";
import { MAX_PRODUCT_NAME_LENGTH } from "./bestbuy-products";
import { emptyCounts, type CatalogInput, type Rejection, type UpsertCounts } from "./catalog-input";
import type { CategoryRow } from "./category-plan";
import {
  loadAttributeDefinitions,
  upsertAttributeDefinitions,
  upsertCategories,
  upsertProducts,
  type DefinitionRecord,
  type ProductRecord,
  type ProgressListener,
} from "./catalog-writer";

/** What a catalog write did: counts per table and every rejected record with its reason. */
export interface CatalogReport {
  categories: UpsertCounts;
  attributeDefinitions: UpsertCounts;
  products: UpsertCounts;
  rejections: Rejection[];
  /** Wall time of the whole import, reading and parsing included, in milliseconds. */
  durationMs: number;
}

/** A report with nothing in it yet. */
export function emptyReport(): CatalogReport {
  return { categories: emptyCounts(), attributeDefinitions: emptyCounts(), products: emptyCounts(), rejections: [], durationMs: 0 };
}

/**
 * Writes a catalog whose records reference categories by external id (the generator's output):
 * categories, then attribute definitions, then the products that validate against the definitions
 * that apply to their category. Runs in the caller's transaction (see `SqlRunner.transaction`).
 */
export async function writeCatalog(sql: SqlRunner, catalog: CatalogInput, onProgress?: ProgressListener): Promise<CatalogReport> {
  const started = performance.now();
  await lockCatalogExclusive(sql);
  const report = emptyReport();
  const { counts, rejections, rows } = await upsertCategories(sql, catalog.categories, onProgress);
  report.categories = counts;
  report.rejections.push(...rejections);
  const idByExternalId = new Map(rows.filter((row) => row.externalId !== null).map((row) => [row.externalId!, row.id]));
  const definitions: DefinitionRecord[] = [];
  for (const { categoryExternalId, ...definition } of catalog.attributeDefinitions) {
    const categoryId = idByExternalId.get(categoryExternalId);
    if (categoryId === undefined) report.rejections.push(missingCategory("attributeDefinition", definition.name, categoryExternalId));
    else definitions.push({ ...definition, categoryId });
  }
  const products: ProductRecord[] = [];
  for (const { categoryExternalId, ...product } of catalog.products) {
    const categoryId = idByExternalId.get(categoryExternalId);
    if (categoryId === undefined) report.rejections.push(missingCategory("product", product.sku, categoryExternalId));
    else products.push({ ...product, categoryId });
  }
  await writeDefinitionsAndProducts(sql, rows, definitions, products, report, onProgress);
  report.durationMs = performance.now() - started;
  return report;
}

/**
 * The second half of every catalog write, once the categories are in: upserts `definitions`, then
 * writes the `products` that pass `productProblems` and the attribute rules, adding to `report`.
 */
export async function writeDefinitionsAndProducts(
  sql: SqlRunner,
  categories: readonly CategoryRow[],
  definitions: readonly DefinitionRecord[],
  products: readonly ProductRecord[],
  report: CatalogReport,
  onProgress?: ProgressListener,
): Promise<void> {
  report.attributeDefinitions = await upsertAttributeDefinitions(sql, definitions);
  const { valid, rejections } = validateProducts(products, categories, await loadAttributeDefinitions(sql));
  report.rejections.push(...rejections);
  report.products = await upsertProducts(sql, valid, onProgress);
  report.categories.rejected = report.rejections.filter((r) => r.entity === "category").length;
  report.attributeDefinitions.rejected = report.rejections.filter((r) => r.entity === "attributeDefinition").length;
  report.products.rejected = report.rejections.filter((r) => r.entity === "product").length;
}

/**
 * Splits products into those that can be written and rejections: a duplicate SKU, a value the
 * schema would refuse, or attributes that break the definitions of the product's category (own and
 * inherited).
 */
export function validateProducts(
  products: readonly ProductRecord[],
  categories: readonly CategoryRow[],
  definitionsByCategory: ReadonlyMap<number, readonly AttributeDefinition[]>,
): { valid: ProductRecord[]; rejections: Rejection[] } {
  const categoryById = new Map(categories.map((row) => [row.id, row]));
  const applicable = new Map<number, Map<string, AttributeDefinition>>();
  const definitionsOf = (categoryId: number) => {
    let found = applicable.get(categoryId);
    if (!found) applicable.set(categoryId, (found = applicableDefinitions(idsOnPath(categoryById.get(categoryId)!.path), definitionsByCategory)));
    return found;
  };
  const seen = new Set<string>();
  const valid: ProductRecord[] = [];
  const rejections: Rejection[] = [];
  for (const product of products) {
    const reject = (reason: string, value: string) => rejections.push({ entity: "product", key: product.sku, reason, value });
    const problem = productProblem(product, seen, categoryById);
    seen.add(product.sku);
    if (problem) {
      reject(problem.reason, problem.value);
      continue;
    }
    const attributeIssues = attributeProblems(product.attributes, definitionsOf(product.categoryId));
    if (attributeIssues.length > 0) reject("attributes break the definitions of the product's category", attributeIssues.join("; "));
    else valid.push(product);
  }
  return { valid, rejections };
}

/** The first rule `product` breaks that the database would also refuse, or null. */
export function productProblem(
  product: ProductRecord,
  seenSkus: ReadonlySet<string>,
  categoryById: ReadonlyMap<number, CategoryRow>,
): { reason: string; value: string } | null {
  const shown = (value: unknown) => JSON.stringify(value);
  if (product.sku.length < 1 || product.sku.length > 64) return { reason: "SKU must have 1 to 64 characters", value: shown(product.sku) };
  if (seenSkus.has(product.sku)) return { reason: "SKU is a duplicate", value: shown(product.sku) };
  if (product.name.trim() === "" || product.name.length > MAX_PRODUCT_NAME_LENGTH) {
    return { reason: `name must have 1 to ${MAX_PRODUCT_NAME_LENGTH} characters`, value: shown(product.name) };
  }
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(product.price)) {
    return { reason: "price must be a non-negative amount with at most two decimals", value: shown(product.price) };
  }
  if (!Number.isInteger(product.stock) || product.stock < 0 || product.stock > 2_147_483_647) {
    return { reason: "stock must be a non-negative integer", value: shown(product.stock) };
  }
  if (!Number.isInteger(product.popularity) || Math.abs(product.popularity) > 2_147_483_647) {
    return { reason: "popularity must be a 32-bit integer", value: shown(product.popularity) };
  }
  if (!categoryById.has(product.categoryId)) return { reason: "category was not found", value: shown(product.categoryId) };
  return null;
}

function missingCategory(entity: Rejection["entity"], key: string, categoryExternalId: string): Rejection {
  return { entity, key, reason: "category was not found", value: JSON.stringify(categoryExternalId) };
}
