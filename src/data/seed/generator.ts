import type { AttributeDefinitionInput, AttributeValue, CatalogInput, CatalogProductInput } from "../import/catalog-input";
import { brandsOf, nameCategories, type NamedCategory } from "./category-names";
import { createRandom, hashSeed, type Random } from "./prng";
import { generateTreeShape } from "./tree-shape";
import { COLORS, DEPARTMENTS, ENERGY_STAR, type AttributeSpec } from "./vocabulary";

/** How big a catalog to generate; the same options always give the same catalog. */
export interface GeneratorOptions {
  products: number;
  categories: number;
  /** Default DEFAULT_SEED. */
  seed?: number;
}

/** The seed used when none is given. */
export const DEFAULT_SEED = 1;

// Products are dated within this window, more of them recent, so "newest first" means something.
const CREATED_FROM_MS = Date.UTC(2024, 0, 1);
const CREATED_TO_MS = Date.UTC(2026, 10, 1);
// Multiplying by a number coprime with SKU_SPAN permutes 0..SKU_SPAN-1: unique 8-digit SKUs that do
// not look sequential (and never collide with Best Buy's 7- and 10-digit ones).
const SKU_SPAN = 90_000_000;
const SKU_STRIDE = 7_368_787;

/**
 * The SKU of product 0: the README's `productBySku` example, also a SKU of the real Best Buy data,
 * so the example answers on either catalog (importing the real data over a generated catalog
 * replaces this one product). Every other generated SKU has 8 digits.
 */
export const EXAMPLE_SKU = "4984700";

/**
 * A realistic catalog, deterministic for its options (a seeded PRNG, no Math.random): a category
 * tree with leaves at depths 4 to 6, departments (Cell Phones first) with a `color` definition
 * inherited by everything below, product groups with their own attributes, and products (brand +
 * line + model + variant, "for iPhone 7" on accessories) whose attributes are valid against the
 * definitions that apply to their category. Product i is the same whatever the product count, so a
 * bigger catalog extends a smaller one of the same seed.
 */
export function generateCatalog(options: GeneratorOptions): CatalogInput {
  const seed = options.seed ?? DEFAULT_SEED;
  assertCount("products", options.products, 0);
  assertCount("categories", options.categories, 1);
  const treeRandom = createRandom(seed, "tree");
  const tree = nameCategories(generateTreeShape(options.categories, treeRandom, DEPARTMENTS.length), treeRandom);
  const externalId = (index: number) => `gen-${seed}-${index}`;
  const energyStarAt = new Set(tree.filter((c) => c.depth === 2 && c.department.energyStar && treeRandom.chance(0.4)).map((c) => c.index));
  const pickCategory = categoryPicker(tree, treeRandom);
  const skuOffset = hashSeed(seed, ["sku"]) % SKU_SPAN;
  const products: CatalogProductInput[] = [];
  for (let i = 0; i < options.products; i++) {
    const random = createRandom(seed, "product", i);
    const category = pickCategory(random);
    const sku = i === 0 ? EXAMPLE_SKU : String(10_000_000 + ((i * SKU_STRIDE + skuOffset) % SKU_SPAN));
    products.push({ ...generateProduct(random, category, tree, energyStarAt), sku, categoryExternalId: externalId(category.index) });
  }
  return {
    categories: tree.map((c) => ({ externalId: externalId(c.index), name: c.name, parentExternalId: c.parent === null ? null : externalId(c.parent) })),
    attributeDefinitions: definitionsOf(tree, energyStarAt, externalId),
    products,
  };
}

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number >= ${min}, got ${value}`);
}

// Color on every department, each group's attributes on its depth-1 categories, energyStar on some depth-2 ones.
function definitionsOf(tree: readonly NamedCategory[], energyStarAt: Set<number>, externalId: (index: number) => string): AttributeDefinitionInput[] {
  const definition = (index: number, spec: AttributeSpec): AttributeDefinitionInput => ({
    categoryExternalId: externalId(index),
    name: spec.name,
    type: spec.type,
    required: spec.required ?? false,
    allowedValues: spec.closed ? spec.values.map(String) : [],
    unit: spec.unit,
  });
  const color: AttributeSpec = { name: "color", type: "STRING", unit: null, values: COLORS, closed: true, label: String };
  return tree.flatMap((c) => {
    if (c.depth === 0) return [definition(c.index, color)];
    if (c.depth === 1) return c.group!.attributes.map((spec) => definition(c.index, spec));
    return energyStarAt.has(c.index) ? [definition(c.index, ENERGY_STAR)] : [];
  });
}

// Leaves hold most products, inner categories (below the departments) some; a few categories are
// far more popular than the rest, as in a real store.
function categoryPicker(tree: readonly NamedCategory[], random: Random): (random: Random) => NamedCategory {
  const hasChildren = new Set(tree.map((c) => c.parent));
  const minDepth = tree.some((c) => c.depth >= 2) ? 2 : 0;
  const holders = tree.filter((c) => c.depth >= minDepth);
  const cumulative: number[] = [];
  let total = 0;
  for (const c of holders) cumulative.push((total += (hasChildren.has(c.index) ? 1 : 4) * (0.2 + Math.pow(1 - random.next(), -0.8))));
  return (productRandom) => {
    const at = productRandom.next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] > at) high = mid;
      else low = mid + 1;
    }
    return holders[low];
  };
}

function generateProduct(
  random: Random,
  category: NamedCategory,
  tree: readonly NamedCategory[],
  energyStarAt: Set<number>,
): Omit<CatalogProductInput, "sku" | "categoryExternalId"> {
  const group = category.group ?? random.pick(category.department.groups);
  const brands = brandsOf({ department: category.department, group });
  const brand = category.brand ?? random.pick(Object.keys(brands));
  const model = modelOf(random, category.line ?? random.pick(brands[brand]));
  const attributes = attributesOf(random, category, tree, energyStarAt);
  const specs = category.group ? category.group.attributes : [];
  const label = (spec: AttributeSpec) => (attributes[spec.name] === undefined ? null : spec.label(attributes[spec.name]));
  const inHead = (spec: AttributeSpec) => spec.type !== "NUMBER" || spec.name === "screenSizeInches";
  const style = category.style && random.chance(0.6) ? category.style : null;
  const fits = group.fits ? `for ${random.pick(group.fits)}` : null;
  const head = [model, ...specs.filter(inHead).map(label), style, group.noun, fits].filter(Boolean).join(" ");
  const tail = specs.filter((spec) => !inHead(spec)).map(label).filter(Boolean);
  const name = [brand, head, ...tail, attributes.color].filter(Boolean).join(" - ");
  return {
    name,
    description: describe(random, brand, model, group.noun, category.department.features),
    brand,
    price: priceOf(random, group.price, specs, attributes),
    stock: random.chance(0.08) ? 0 : Math.floor(Math.exp(random.next() * Math.log(500))),
    // Pareto-like: most products are rarely viewed, a few are hits.
    popularity: Math.min(1_000_000, Math.floor(5 * Math.pow(1 - random.next(), -1 / 1.16))),
    attributes,
    imageUrl: null,
    createdAt: new Date(CREATED_TO_MS - (CREATED_TO_MS - CREATED_FROM_MS) * Math.pow(random.next(), 2)).toISOString(),
  };
}

// Values for the definitions that apply: required ones always, optional ones mostly; a value the
// category's name states ("15.6\" Laptops", "... in Teal") is used as is.
function attributesOf(random: Random, category: NamedCategory, tree: readonly NamedCategory[], energyStarAt: Set<number>): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  if (category.color || random.chance(0.9)) attributes.color = category.color ?? random.pick(COLORS);
  for (const spec of category.depth >= 1 && category.group ? category.group.attributes : []) {
    if (!spec.required && !random.chance(0.85)) continue;
    attributes[spec.name] = category.spec?.name === spec.name ? category.spec.value : random.pick(spec.values);
  }
  for (let at: NamedCategory | undefined = category; at; at = at.parent === null ? undefined : tree[at.parent]) {
    if (energyStarAt.has(at.index)) attributes.energyStar = random.chance(0.7);
  }
  return attributes;
}

// A line's `#` becomes a model number, and a line ending in one sometimes gets a suffix ("Galaxy S9 Plus").
function modelOf(random: Random, line: string): string {
  if (!line.includes("#")) return line;
  const suffix = line.endsWith("#") ? random.weighted(["", " Pro", " Max", " Plus", " Lite", " Mini", " Ultra"], [8, 2, 1, 1, 1, 1, 1]) : "";
  return `${line.replace("#", String(random.int(2, 15)))}${suffix}`;
}

// Log-uniform in the group's range, nudged up for bigger storage, screens and the like; ends in .99 mostly.
function priceOf(random: Random, [low, high]: readonly [number, number], specs: readonly AttributeSpec[], attributes: Record<string, AttributeValue>): string {
  let dollars = Math.exp(Math.log(low) + random.next() * (Math.log(high) - Math.log(low)));
  for (const spec of specs) {
    if (spec.type === "NUMBER" && attributes[spec.name] !== undefined) dollars *= 1 + 0.1 * spec.values.indexOf(attributes[spec.name]);
  }
  const ending = random.weighted([99, 49, 95, 0, 89], [6, 1, 1, 1, 1]);
  const cents = Math.max(Math.floor(Math.min(dollars, high * 1.6)) * 100 + ending - (ending === 0 ? 0 : 100), 99);
  return (cents / 100).toFixed(2);
}

function describe(random: Random, brand: string, model: string, noun: string, features: readonly string[]): string {
  const [first, second, third] = random.shuffled(features);
  const opener = random.pick([
    `The ${brand} ${model} ${noun.toLowerCase()} brings ${first} and ${second} together in one clean design.`,
    `Meet the ${brand} ${model}: a ${noun.toLowerCase()} with ${first} and ${second}.`,
    `Upgrade to the ${brand} ${model} ${noun.toLowerCase()}, built around ${first} and ${second}.`,
  ]);
  const middle = random.pick([`It also offers ${third}.`, `You also get ${third}.`, `Extras include ${third}.`]);
  const closer = random.pick([
    "Backed by a one-year limited warranty.",
    "Ships free and can be returned within 30 days.",
    "A favorite with reviewers for its build quality.",
    "Set up in minutes, right out of the box.",
  ]);
  return `${opener} ${middle} ${closer}`;
}
