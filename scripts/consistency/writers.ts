import { post } from "./client";
import { categoryName, noteWrite, priceOf, skuOf, type CategoryState, type History, type Model, type ProductState, type Version } from "./model";

/**
 * The writer tasks. Each entity belongs to exactly one writer, which writes it one request at a
 * time, so the order of its writes is known. A write is recorded (started) before its request is
 * sent and completed after its response is read; one whose outcome is unknown stays open forever
 * and retires its entity, so the check accepts either outcome and nothing is guessed.
 */

export interface WriterContext {
  model: Model;
  /** Gateway URLs; each write goes to one at random. */
  urls: string[];
  headers: Record<string, string>;
  run: string;
  stopped(): boolean;
  counts: { writes: number; failedWrites: number; wrongResponses: number };
  /** What failed, and mutations that did not return what they wrote. */
  problems: string[];
}

/** Share of writes that change a category rather than a product, when a writer owns both. */
const CATEGORY_WRITE_SHARE = 0.25;

/** Most writes in a row to one entity: back-to-back writes race the fills the previous one caused. */
const MAX_BURST = 3;

/** Runs writer `index` of `writers` until the context says stop. */
export async function runWriter(index: number, writers: number, ctx: WriterContext): Promise<void> {
  const products = [...ctx.model.products.values()].filter((_, i) => i % writers === index);
  const categories = [...ctx.model.categories.values()].filter((_, i) => i % writers === index);
  while (!ctx.stopped()) {
    const pickCategory = categories.length > 0 && (products.length === 0 || Math.random() < CATEGORY_WRITE_SHARE);
    const history = pick((pickCategory ? categories : products).filter((h) => !h.retired));
    if (!history) return;
    const burst = 1 + Math.floor(Math.random() * MAX_BURST);
    for (let i = 0; i < burst && !history.retired && !ctx.stopped(); i += 1) {
      if (pickCategory) await writeCategory(history as History<CategoryState>, ctx);
      else await writeProduct(history as History<ProductState>, ctx);
    }
  }
}

const updateProduct = `mutation($id: ID!, $input: UpdateProductInput!) {
  updateProduct(id: $id, input: $input) { id price sku category { id } }
}`;

const updateCategory = `mutation($id: ID!, $input: UpdateCategoryInput!) {
  updateCategory(id: $id, input: $input) { id name parent { id } }
}`;

// Every write re-prices the product (the price carries the sequence number); a third also move
// it to another category, a third give it a new SKU.
async function writeProduct(history: History<ProductState>, ctx: WriterContext): Promise<void> {
  const seq = history.versions.length;
  const before = history.versions[seq - 1].state;
  const roll = Math.random();
  const state: ProductState = {
    sku: roll < 1 / 3 ? skuOf(ctx.run, history.index, seq) : before.sku,
    categoryId: roll >= 2 / 3 ? pick([...ctx.model.categories.keys()].filter((id) => id !== before.categoryId)) ?? before.categoryId : before.categoryId,
  };
  const input: Record<string, unknown> = { price: priceOf(seq) };
  if (state.sku !== before.sku) input.sku = state.sku;
  if (state.categoryId !== before.categoryId) input.categoryId = String(state.categoryId);
  noteWrite(ctx.model, "products", history.id);
  await send(history, state, ctx, updateProduct, input, (data: any) => {
    const row = data?.updateProduct;
    return row?.price === priceOf(seq) && row.sku === state.sku && Number(row.category?.id) === state.categoryId;
  });
}

// Every write renames the category (the name carries the sequence number); half also move it
// to another shelf.
async function writeCategory(history: History<CategoryState>, ctx: WriterContext): Promise<void> {
  const seq = history.versions.length;
  const before = history.versions[seq - 1].state;
  const parentId = Math.random() < 0.5 ? pick(ctx.model.shelves.filter((id) => id !== before.parentId)) ?? before.parentId : before.parentId;
  const input: Record<string, unknown> = { name: categoryName(history.index, seq) };
  if (parentId !== before.parentId) input.parentId = String(parentId);
  noteWrite(ctx.model, "categories", history.id);
  await send(history, { parentId }, ctx, updateCategory, input, (data: any) => {
    const row = data?.updateCategory;
    return row?.name === categoryName(history.index, seq) && Number(row.parent?.id) === parentId;
  });
}

async function send<S>(
  history: History<S>,
  state: S,
  ctx: WriterContext,
  mutation: string,
  input: Record<string, unknown>,
  returnsWritten: (data: unknown) => boolean,
): Promise<void> {
  const version: Version<S> = { seq: history.versions.length, state, startMs: performance.now(), endMs: Infinity };
  history.versions.push(version);
  const url = pick(ctx.urls)!;
  try {
    const response = await post(url, mutation, { id: String(history.id), input }, ctx.headers);
    if (response.errors?.length) throw new Error(JSON.stringify(response.errors[0]));
    version.endMs = performance.now();
    ctx.counts.writes += 1;
    if (!returnsWritten(response.data)) {
      ctx.counts.wrongResponses += 1;
      ctx.problems.push(`write ${version.seq} of ${history.id} returned ${JSON.stringify(response.data)}, not what it wrote`);
    }
  } catch (error) {
    // A GraphQL error means nothing changed, a network error may mean anything: accept both.
    history.retired = true;
    ctx.counts.failedWrites += 1;
    ctx.problems.push(`write ${version.seq} of ${history.id} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A random element of `items`, undefined when it is empty. */
export function pick<T>(items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(Math.random() * items.length)];
}
