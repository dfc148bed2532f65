import { postData } from "./client";
import { categoryName, priceOf, skuOf, type History, type Model } from "./model";

/**
 * The entities under test, created through the API before the run (write 0 of each): `shelves`
 * top-level categories that never change, each defining one optional attribute of its own,
 * `categories` under them (renamed and moved between shelves during the run, so what they inherit
 * changes), and `products` spread over those categories (re-priced, moved between them and given
 * new SKUs). Products set no attributes, so every move is valid.
 */
export interface FixtureOptions {
  shelves: number;
  categories: number;
  products: number;
}

const createCategory = `mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`;
const createProduct = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`;

/** Creates the fixture through `url` with an editor's `headers`; returns the model at write 0. */
export async function createFixture(url: string, headers: Record<string, string>, run: string, options: FixtureOptions): Promise<Model> {
  const write = <T>(query: string, input: Record<string, unknown>) => postData<T>(url, query, { input }, headers);
  const shelves: number[] = [];
  const shelfAttributes = new Map<number, string>();
  for (let i = 0; i < options.shelves; i += 1) {
    const attribute = `shelf_${i}`;
    const { createCategory: shelf } = await write<{ createCategory: { id: string } }>(createCategory, {
      name: `Shelf ${run} ${i}`,
      attributes: [{ name: attribute, type: "STRING" }],
    });
    shelves.push(Number(shelf.id));
    shelfAttributes.set(Number(shelf.id), attribute);
  }
  const model: Model = { products: new Map(), categories: new Map(), shelves, shelfAttributes, recent: { products: [], categories: [] } };
  const categories = await inChunks(options.categories, async (index) => {
    const parentId = shelves[index % shelves.length];
    const { createCategory: category } = await write<{ createCategory: { id: string } }>(createCategory, {
      name: categoryName(index, 0),
      parentId: String(parentId),
    });
    model.categories.set(Number(category.id), initialHistory(Number(category.id), index, { parentId }));
    return Number(category.id);
  });
  await inChunks(options.products, async (index) => {
    const state = { sku: skuOf(run, index, 0), categoryId: categories[index % categories.length] };
    const { createProduct: product } = await write<{ createProduct: { id: string } }>(createProduct, {
      sku: state.sku,
      name: `Product ${index}`,
      brand: "Consistency",
      price: priceOf(0),
      categoryId: String(state.categoryId),
    });
    model.products.set(Number(product.id), initialHistory(Number(product.id), index, state));
  });
  return model;
}

// Write 0 completed before the run started, so every read must see it or a later one.
function initialHistory<S>(id: number, index: number, state: S): History<S> {
  const now = performance.now();
  return { id, index, versions: [{ seq: 0, state, startMs: now, endMs: now }], retired: false };
}

// Runs `work` for 0..count-1, a few at a time; results in index order.
async function inChunks<T>(count: number, work: (index: number) => Promise<T>, chunk = 8): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += chunk) {
    const indexes = Array.from({ length: Math.min(chunk, count - start) }, (_, i) => start + i);
    results.push(...(await Promise.all(indexes.map(work))));
  }
  return results;
}
