import { readFile } from "node:fs/promises";
import { lockCatalogExclusive } from "../catalog-lock";
import type { Database, SqlRunner } from "../database";
import { idsOnPath } from "../../catalog";
import { parseBestBuyCategories, type ParsedCategories } from "./bestbuy-categories";
import { parseBestBuyProducts, type ParsedProduct, type ParsedProducts } from "./bestbuy-products";
import type { Rejection } from "./catalog-input";
import { createCategoryPathMatcher } from "./category-path-matcher";
import type { CategoryRow } from "./category-plan";
import {
  loadCategoryRows,
  upsertCategories,
  type DefinitionRecord,
  type ProductRecord,
  type ProgressListener,
} from "./catalog-writer";
import { emptyReport, writeDefinitionsAndProducts, type CatalogReport } from "./write-catalog";

/** Files of the Best Buy data set to import; either may be left out. */
export interface ImportOptions {
  /** bestbuy-categories.json: `[{id, name, path:[{id,name}], subCategories}]`. */
  categoriesFile?: string;
  /** bestbuy-cellphones-products.json: `[{name, description, brand, categories, price, image, popularity}]`. */
  productsFile?: string;
  /** Called after each written batch; the CLI draws it on stderr. */
  onProgress?: ProgressListener;
}

/** A catalog report plus how the products found their categories. */
export interface ImportReport extends CatalogReport {
  /** Categories created from other records' paths because they have no record of their own. */
  categoriesFromPathsOnly: number;
  /**
   * Products whose whole category path matched; those whose path leaves out levels of the tree, placed
   * where its names were found further down (see `PathMatch.foundBelow`); and those placed in the
   * deepest category of a matching prefix.
   */
  productPlacement: { exactPath: number; belowPrefix: number; prefixOnly: number };
}

/** The parsed files, before anything is written. */
export interface BestBuySource {
  categories: ParsedCategories | null;
  products: ParsedProducts | null;
}

/** Definitions for the attributes `deriveAttributes` reads off product names; placed on the roots that hold such products. */
export const DERIVED_ATTRIBUTE_DEFINITIONS: readonly Omit<DefinitionRecord, "categoryId">[] = [
  { name: "color", type: "STRING", required: false, allowedValues: [], unit: null },
  { name: "storageGb", type: "NUMBER", required: false, allowedValues: [], unit: "GB" },
];

/**
 * Imports the Best Buy files in one transaction: categories upserted by external id (ancestors that
 * exist only in paths included), products by SKU, each placed by matching its path of category
 * names. Idempotent: a second run of the same files creates and changes nothing.
 */
export async function importCatalog(db: Pick<Database, "sql">, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const source = await readBestBuySource(options);
  const report = await db.sql.transaction((tx) => importBestBuySource(tx, source, options.onProgress));
  return { ...report, durationMs: performance.now() - started };
}

/** Reads and parses the files; throws when a file is missing or is not a JSON array. */
export async function readBestBuySource(options: Pick<ImportOptions, "categoriesFile" | "productsFile">): Promise<BestBuySource> {
  const [categories, products] = await Promise.all([
    options.categoriesFile ? readJson(options.categoriesFile).then(parseBestBuyCategories) : null,
    options.productsFile ? readJson(options.productsFile).then(parseBestBuyProducts) : null,
  ]);
  return { categories, products };
}

/** Writes a parsed source inside the caller's transaction. */
export async function importBestBuySource(sql: SqlRunner, source: BestBuySource, onProgress?: ProgressListener): Promise<ImportReport> {
  const started = performance.now();
  await lockCatalogExclusive(sql);
  const report: ImportReport = { ...emptyReport(), categoriesFromPathsOnly: 0, productPlacement: { exactPath: 0, belowPrefix: 0, prefixOnly: 0 } };
  let rows: CategoryRow[];
  if (source.categories) {
    report.rejections.push(...source.categories.rejections);
    report.categoriesFromPathsOnly = source.categories.fromPathsOnly;
    const written = await upsertCategories(sql, source.categories.categories, onProgress);
    report.categories = written.counts;
    report.rejections.push(...written.rejections);
    rows = written.rows;
  } else {
    rows = await loadCategoryRows(sql);
  }
  const products = source.products ? placeProducts(source.products, rows, report) : [];
  await writeDefinitionsAndProducts(sql, rows, derivedDefinitions(products, rows), products, report, onProgress);
  report.durationMs = performance.now() - started;
  return report;
}

// Matches each product's path of names against the tree; a product with no match at all is rejected.
function placeProducts(parsed: ParsedProducts, rows: readonly CategoryRow[], report: ImportReport): ProductRecord[] {
  report.rejections.push(...parsed.rejections);
  const match = createCategoryPathMatcher(rows);
  const placed: ProductRecord[] = [];
  for (const { categoryPath, ...product } of parsed.products) {
    const found = match(categoryPath);
    if (!found) {
      report.rejections.push(noCategory(product, categoryPath));
      continue;
    }
    report.productPlacement[found.exact ? "exactPath" : found.foundBelow ? "belowPrefix" : "prefixOnly"] += 1;
    placed.push({ ...product, categoryId: found.categoryId });
  }
  return placed;
}

function noCategory(product: Omit<ParsedProduct, "categoryPath">, categoryPath: string[]): Rejection {
  return { entity: "product", key: product.sku, reason: "no category matches the root of its category path", value: categoryPath.join(" > ") };
}

// The derived attributes validate only where a definition applies: put them on the roots above the products that carry them.
function derivedDefinitions(products: readonly ProductRecord[], rows: readonly CategoryRow[]): DefinitionRecord[] {
  const pathById = new Map(rows.map((row) => [row.id, row.path]));
  const roots = new Set<number>();
  for (const product of products) {
    if (Object.keys(product.attributes).length > 0) roots.add(idsOnPath(pathById.get(product.categoryId)!)[0]);
  }
  return [...roots].sort((a, b) => a - b).flatMap((categoryId) => DERIVED_ATTRIBUTE_DEFINITIONS.map((d) => ({ ...d, categoryId })));
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}
