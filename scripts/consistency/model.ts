/**
 * What the checker knows about the writes: for each entity under test, every write in order, the
 * state it leaves and when it ran. Each entity has exactly one writer task, so its writes are
 * serialized and their order is their sequence number (0 is the fixture, written before the run).
 *
 * Every write stamps its sequence number into a field every read of the entity returns (a
 * product's price, a category's name), so a read tells which write it saw.
 */

/** One write of one entity. Times are `performance.now()` of this process, in ms. */
export interface Version<S> {
  seq: number;
  state: S;
  /** Just before the request was sent. */
  startMs: number;
  /** Just after the response was read; Infinity while running, or forever if the outcome is unknown. */
  endMs: number;
}

/** The writes of one entity, oldest first (`versions[seq].seq === seq`). */
export interface History<S> {
  id: number;
  /** The entity's index in the run, used in its names and SKUs. */
  index: number;
  versions: Version<S>[];
  /** No more writes: the last one failed and its outcome is unknown. */
  retired: boolean;
}

/** What a product write leaves (its price encodes the sequence number). */
export interface ProductState {
  sku: string;
  categoryId: number;
}

/** What a category write leaves (its name encodes the sequence number). */
export interface CategoryState {
  parentId: number;
}

/** Every entity under test, by database id. */
export interface Model {
  products: Map<number, History<ProductState>>;
  categories: Map<number, History<CategoryState>>;
  /** The fixed top-level categories the categories under test move between. */
  shelves: number[];
  /** The one attribute each shelf defines, which its categories inherit, by shelf id. */
  shelfAttributes: Map<number, string>;
  /** Ids of the entities written last, newest first, where readers look most (races happen there). */
  recent: { products: number[]; categories: number[] };
}

/** How many recently written entities of each kind `recent` keeps. */
const RECENT = 6;

/** Notes that a write of `id` has started. */
export function noteWrite(model: Model, kind: keyof Model["recent"], id: number): void {
  const list = model.recent[kind];
  const at = list.indexOf(id);
  if (at >= 0) list.splice(at, 1);
  list.unshift(id);
  if (list.length > RECENT) list.pop();
}

/**
 * The writes a read starting at `startMs` and ending at `endMs` may see: at least `min`, the last
 * write that had completed before the read started, and at most `max`, the last write that had
 * started before the read ended. Anything below `min` is a stale read.
 */
export function acceptableRange<S>(history: History<S>, startMs: number, endMs: number): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const version of history.versions) {
    if (version.endMs < startMs) min = version.seq;
    if (version.startMs < endMs) max = version.seq;
  }
  return { min, max };
}

/** The states of `history` a read over [startMs, endMs] may see. */
export function acceptableStates<S>(history: History<S>, startMs: number, endMs: number): S[] {
  const { min, max } = acceptableRange(history, startMs, endMs);
  return history.versions.slice(min, max + 1).map((version) => version.state);
}

/** The price every product is created with; write `seq` sets `BASE_PRICE + seq / 100`. */
export const BASE_PRICE = 10;

export function priceOf(seq: number): number {
  return Math.round(BASE_PRICE * 100 + seq) / 100;
}

/** The sequence number a price encodes, or null when it is not one of ours. */
export function seqOfPrice(price: unknown): number | null {
  if (typeof price !== "number") return null;
  const cents = Math.round(price * 100) - BASE_PRICE * 100;
  return cents >= 0 && Math.abs(price * 100 - Math.round(price * 100)) < 1e-6 ? cents : null;
}

export function categoryName(index: number, seq: number): string {
  return `Cat ${index} v${seq}`;
}

/** The sequence number in a category's name, or null when it is not one of ours. */
export function seqOfCategoryName(name: unknown, index: number): number | null {
  const match = typeof name === "string" ? /^Cat (\d+) v(\d+)$/.exec(name) : null;
  return match && Number(match[1]) === index ? Number(match[2]) : null;
}

/** A SKU unique to product `index` and write `seq` (`run` keeps runs sharing a database apart). */
export function skuOf(run: string, index: number, seq: number): string {
  return `CC-${run}-${index}-v${seq}`;
}

/** The SKUs of the product's last `count` versions that changed it (the current one first). */
export function recentSkus(history: History<ProductState>, count: number): string[] {
  const skus: string[] = [];
  for (let i = history.versions.length - 1; i >= 0 && skus.length < count; i -= 1) {
    const sku = history.versions[i].state.sku;
    if (!skus.includes(sku)) skus.push(sku);
  }
  return skus;
}
