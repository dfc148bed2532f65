import {
  acceptableRange,
  acceptableStates,
  seqOfCategoryName,
  seqOfPrice,
  type CategoryState,
  type History,
  type Model,
  type ProductState,
} from "./model";
import type { ReadRecord } from "./readers";

/**
 * The rule every read is judged by (DESIGN.md promise 2): a read that starts after a write's
 * response must see that write or a later one. For an entity, a read over [start, end] may see any
 * write from the last one completed before `start` to the last one started before `end`
 * (`acceptableRange`); for a list, each member must be where one of those writes put it.
 * A read that breaks the rule is a stale read; the first reason found is kept.
 */

/** A stale read and why. */
export interface StaleRead {
  read: ReadRecord;
  reason: string;
}

/** The reads of `reads` that break the rule, in the order they were recorded. */
export function findStaleReads(reads: readonly ReadRecord[], model: Model): StaleRead[] {
  const stale: StaleRead[] = [];
  for (const read of reads) {
    const reason = judge(read, model);
    if (reason) stale.push({ read, reason });
  }
  return stale;
}

/** Why `read` is stale, or null when it is not. */
export function judge(read: ReadRecord, model: Model): string | null {
  switch (read.view) {
    case "product":
      return judgeProduct(model.products.get(read.target)!, read.data.product, read);
    case "productBySku":
      return judgeSkuLookup(model.products.get(read.target)!, read);
    case "category":
      return judgeCategory(model.categories.get(read.target)!, read.data.category, read, model);
    case "listing":
      return judgeListing(model, read);
    case "priced":
      return judgePriced(model, read);
    case "shelf":
      return judgeShelf(model, read);
    default: {
      const never: never = read.view;
      throw new Error(`Unknown view ${String(never)}`);
    }
  }
}

interface SeenProduct {
  id: string;
  price: number;
  sku: string;
  category: { id: string } | null;
}

function judgeProduct(history: History<ProductState>, seen: SeenProduct | null, read: ReadRecord): string | null {
  if (!seen || Number(seen.id) !== history.id) return `product ${history.id}: got ${JSON.stringify(seen)}`;
  const seq = seqOfPrice(seen.price);
  if (seq === null || seq >= history.versions.length) return `product ${history.id}: price ${seen.price} is no write of it`;
  const ordering = outOfRange(`product ${history.id}`, seq, history, read);
  if (ordering) return ordering;
  const state = history.versions[seq].state;
  if (seen.sku !== state.sku || Number(seen.category?.id) !== state.categoryId) {
    return `product ${history.id}: write ${seq} set sku ${state.sku} and category ${state.categoryId}, the read saw ${seen.sku} and ${seen.category?.id}`;
  }
  return null;
}

function judgeSkuLookup(history: History<ProductState>, read: ReadRecord): string | null {
  const sku = read.sku!;
  const seen = read.data.productBySku as SeenProduct | null;
  const holds = acceptableStates(history, read.startMs, read.endMs).map((state) => state.sku === sku);
  const { min } = acceptableRange(history, read.startMs, read.endMs);
  if (seen === null) {
    return holds.every(Boolean) ? `productBySku(${sku}): null, but product ${history.id} held it since write ${min} or earlier` : null;
  }
  if (Number(seen.id) !== history.id) return `productBySku(${sku}): product ${seen.id}, but only product ${history.id} ever held it`;
  if (!holds.some(Boolean)) return `productBySku(${sku}): product ${history.id}, but write ${min} or earlier had changed its SKU`;
  return judgeProduct(history, seen, read);
}

interface SeenCategory {
  id: string;
  name: string;
  parent?: { id: string } | null;
  attributes?: { name: string }[];
}

function judgeCategory(history: History<CategoryState>, seen: SeenCategory | null, read: ReadRecord, model: Model): string | null {
  if (!seen || Number(seen.id) !== history.id) return `category ${history.id}: got ${JSON.stringify(seen)}`;
  const seq = seqOfCategoryName(seen.name, history.index);
  if (seq === null || seq >= history.versions.length) return `category ${history.id}: name ${JSON.stringify(seen.name)} is no write of it`;
  const ordering = outOfRange(`category ${history.id}`, seq, history, read);
  if (ordering) return ordering;
  const state = history.versions[seq].state;
  if (seen.parent !== undefined && Number(seen.parent?.id) !== state.parentId) {
    return `category ${history.id}: write ${seq} put it under ${state.parentId}, the read saw parent ${seen.parent?.id}`;
  }
  return seen.attributes ? judgeInherited(history, seen.attributes, model, read) : null;
}

// The attributes a category inherits are its shelf's: they must be those of a shelf one of the
// acceptable writes put it under (they come through their own loader, apart from the row).
function judgeInherited(history: History<CategoryState>, seen: { name: string }[], model: Model, read: ReadRecord): string | null {
  const names = seen.map((attribute) => attribute.name).join(",");
  const shelves = acceptableStates(history, read.startMs, read.endMs).map((state) => state.parentId);
  if (shelves.some((shelf) => model.shelfAttributes.get(shelf) === names)) return null;
  const expected = [...new Set(shelves.map((shelf) => model.shelfAttributes.get(shelf)))].join(" or ");
  return `category ${history.id}: inherits [${names}], but it was under shelves with ${expected}`;
}

function outOfRange<S>(what: string, seq: number, history: History<S>, read: ReadRecord): string | null {
  const range = acceptableRange(history, read.startMs, read.endMs);
  if (seq < range.min) {
    const before = read.startMs - history.versions[range.min].endMs;
    return `${what}: saw write ${seq}, but write ${range.min} had completed ${before.toFixed(1)} ms before the read began`;
  }
  if (seq > range.max) return `${what}: saw write ${seq}, which had not started before the read ended`;
  return null;
}

interface SeenListing {
  products: { totalCount: number; edges: { node: { id: string } }[] };
  /** Absent in a priced listing. */
  productCount?: number;
}

// A category's own products: each must be where one of its acceptable writes put it.
function judgeListing(model: Model, read: ReadRecord): string | null {
  const categoryId = read.target;
  const listing = read.data.category as SeenListing | null;
  if (!listing) return `category ${categoryId}: null`;
  const places = (history: History<ProductState>) =>
    new Set(acceptableStates(history, read.startMs, read.endMs).map((state) => state.categoryId));
  const what = `${read.subtree ? "products (with descendants)" : "products"} of category ${categoryId}`;
  return judgeMembers(what, model, listing, (history) => membership(places(history), categoryId));
}

// A category's own products priced at least priceOf(minSeq): each must be there if every
// acceptable write left it in the category at such a price, and may be if one did.
function judgePriced(model: Model, read: ReadRecord): string | null {
  const categoryId = read.target;
  const listing = read.data.category as SeenListing | null;
  if (!listing) return `category ${categoryId}: null`;
  const minSeq = read.minSeq!;
  const what = `products of category ${categoryId} priced from write ${minSeq} on`;
  return judgeMembers(what, model, listing, (history) => {
    const { min, max } = acceptableRange(history, read.startMs, read.endMs);
    const listed = history.versions.slice(min, max + 1).map((version) => version.state.categoryId === categoryId && version.seq >= minSeq);
    return { must: listed.every(Boolean), may: listed.some(Boolean) };
  });
}

// A shelf's subtree: a product is under the shelf when its category is, so both histories count.
function judgeShelf(model: Model, read: ReadRecord): string | null {
  const shelfId = read.target;
  const seen = read.data.category as (SeenListing & { children: SeenCategory[] }) | null;
  if (!seen) return `shelf ${shelfId}: null`;
  const parents = (history: History<CategoryState>) =>
    new Set(acceptableStates(history, read.startMs, read.endMs).map((state) => state.parentId));
  const children = judgeChildren(model, read, seen.children, parents);
  if (children) return `children of shelf ${shelfId}: ${children}`;
  const shelves = (history: History<ProductState>) => {
    const found = new Set<number>();
    for (const state of acceptableStates(history, read.startMs, read.endMs)) {
      for (const parent of parents(model.categories.get(state.categoryId)!)) found.add(parent);
    }
    return found;
  };
  return judgeMembers(`products under shelf ${shelfId}`, model, seen, (history) => membership(shelves(history), shelfId));
}

// Each child as a category read of its own, and the list as the moves of the categories left it.
function judgeChildren(
  model: Model,
  read: ReadRecord,
  children: SeenCategory[],
  parents: (history: History<CategoryState>) => Set<number>,
): string | null {
  const childIds = new Set(children.map((child) => Number(child.id)));
  for (const child of children) {
    const history = model.categories.get(Number(child.id));
    if (!history) return `${child.id} is no category under test`;
    const stale = judgeCategory(history, child, read, model);
    if (stale) return stale;
  }
  for (const history of model.categories.values()) {
    const { must, may } = membership(parents(history), read.target);
    if (childIds.has(history.id) && !may) return `lists category ${history.id}, which had moved away`;
    if (!childIds.has(history.id) && must) return `misses category ${history.id}, which had moved in`;
  }
  return null;
}

// Whether a member must be, or may be, in the list of `listId`, from the lists it may be in.
function membership(places: Set<number>, listId: number): { must: boolean; may: boolean } {
  return { must: places.size === 1 && places.has(listId), may: places.has(listId) };
}

function judgeMembers(
  what: string,
  model: Model,
  listing: SeenListing,
  member: (history: History<ProductState>) => { must: boolean; may: boolean },
): string | null {
  const listed = new Set(listing.products.edges.map((edge) => Number(edge.node.id)));
  let must = 0;
  let may = 0;
  for (const id of listed) {
    if (!model.products.has(id)) return `${what}: lists product ${id}, which is no product under test`;
  }
  for (const history of model.products.values()) {
    const expected = member(history);
    if (expected.must) must += 1;
    if (expected.may) may += 1;
    if (listed.has(history.id) && !expected.may) return `${what}: lists product ${history.id}, which had moved away`;
    if (!listed.has(history.id) && expected.must) return `${what}: misses product ${history.id}, which had moved in`;
  }
  for (const [name, count] of [["totalCount", listing.products.totalCount], ["productCount", listing.productCount]] as const) {
    if (count === undefined) continue;
    if (count < must || count > may) return `${what}: ${name} ${count}, but between ${must} and ${may} were there`;
  }
  return null;
}
