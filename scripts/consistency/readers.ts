import { post } from "./client";
import { priceOf, recentSkus, type Model } from "./model";
import { pick } from "./writers";

/**
 * The reader tasks: each picks a view of an entity under test and a gateway at random, and
 * records when the read ran and what it saw; `verify.ts` judges the records after the run.
 */

/** The views readers ask for, each checked its own way. */
export type View = "product" | "productBySku" | "category" | "listing" | "priced" | "shelf";

/** One read: what was asked, through which gateway, when (performance.now(), ms) and what came back. */
export interface ReadRecord {
  view: View;
  gateway: number;
  /** The product, category or shelf id the view is about. */
  target: number;
  /** The SKU looked up (productBySku). */
  sku?: string;
  /** The listing included descendants (listing; a leaf's subtree listing filters on its path). */
  subtree?: boolean;
  /** The price filter of a priced listing, as the write sequence number whose price it is (priceOf). */
  minSeq?: number;
  startMs: number;
  endMs: number;
  data: any;
}

export interface ReaderContext {
  model: Model;
  urls: string[];
  stopped(): boolean;
  /** Longest pause between two reads of one reader, ms (a random pause up to it). */
  pauseMs: number;
  reads: ReadRecord[];
  counts: { failedReads: number };
  problems: string[];
}

const queries: Record<View, string> = {
  product: `query($id: ID!) { product(id: $id) { id price sku category { id } } }`,
  productBySku: `query($sku: String!) { productBySku(sku: $sku) { id price sku category { id } } }`,
  category: `query($id: ID!) { category(id: $id) { id name parent { id } attributes { name } } }`,
  listing: `query($id: ID!, $subtree: Boolean!) {
    category(id: $id) {
      products(includeDescendants: $subtree, first: 100) { totalCount edges { node { id } } }
      productCount(includeDescendants: $subtree)
    }
  }`,
  // Filtered and ordered by price: its entries depend on the price aspect (gen:prods:cat:<id>:price),
  // which price writes move, and a write that raises a price past the filter adds the product.
  priced: `query($id: ID!, $subtree: Boolean!, $minPrice: Float!) {
    category(id: $id) {
      products(includeDescendants: $subtree, first: 100, orderBy: PRICE_ASC, filter: { minPrice: $minPrice }) { totalCount edges { node { id } } }
    }
  }`,
  shelf: `query($id: ID!) {
    category(id: $id) {
      children { id name }
      products(includeDescendants: true, first: 100) { totalCount edges { node { id } } }
      productCount(includeDescendants: true)
    }
  }`,
};

/** How often each view is picked, relative to the others. */
const weights: [View, number][] = [
  ["product", 3],
  ["productBySku", 2],
  ["category", 2],
  ["listing", 2],
  ["priced", 2],
  ["shelf", 1],
];

/** Runs one reader until the context says stop. */
export async function runReader(ctx: ReaderContext): Promise<void> {
  while (!ctx.stopped()) {
    await readOnce(ctx);
    if (ctx.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * ctx.pauseMs));
  }
}

async function readOnce(ctx: ReaderContext): Promise<void> {
  const view = pickView();
  const { target, variables, sku, minSeq } = chooseTarget(view, ctx.model);
  const subtree = view === "listing" || view === "priced" ? (variables.subtree as boolean) : undefined;
  const gateway = Math.floor(Math.random() * ctx.urls.length);
  const startMs = performance.now();
  try {
    const response = await post(ctx.urls[gateway], queries[view], variables);
    const endMs = performance.now();
    if (response.errors?.length || !response.data) throw new Error(JSON.stringify(response.errors?.[0] ?? "no data"));
    ctx.reads.push({ view, gateway, target, sku, subtree, minSeq, startMs, endMs, data: response.data });
  } catch (error) {
    ctx.counts.failedReads += 1;
    ctx.problems.push(`${view} of ${target} through gateway ${gateway} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function pickView(): View {
  let roll = Math.random() * weights.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [view, weight] of weights) {
    roll -= weight;
    if (roll < 0) return view;
  }
  return weights[0][0];
}

/** Share of reads aimed at the entities written last, where fills race writes. */
const HOT_SHARE = 0.5;

// Half of the reads go to recently written entities, the rest anywhere. SKU lookups ask for one
// of the product's last three SKUs: the current one (or the one a write in flight is setting),
// and the ones it held before, which must stop resolving to it.
function chooseTarget(view: View, model: Model): { target: number; variables: Record<string, unknown>; sku?: string; minSeq?: number } {
  const hot = Math.random() < HOT_SHARE;
  switch (view) {
    case "product":
    case "productBySku": {
      const id = (hot && pick(model.recent.products)) || pick([...model.products.keys()])!;
      if (view === "product") return { target: id, variables: { id: String(id) } };
      const sku = pick(recentSkus(model.products.get(id)!, 3))!;
      return { target: id, variables: { sku }, sku };
    }
    case "category": {
      const id = (hot && pick(model.recent.categories)) || pick([...model.categories.keys()])!;
      return { target: id, variables: { id: String(id) } };
    }
    case "listing": {
      // A hot listing is the category a recently written product is in (or moving to), or one
      // that moved. The categories under test are leaves: with or without descendants, their
      // listing is their own products, but the subtree one filters on the category's path.
      const product = hot && Math.random() < 0.5 && pick(model.recent.products);
      const history = product ? model.products.get(product)! : undefined;
      const id = history
        ? history.versions[history.versions.length - 1].state.categoryId
        : (hot && pick(model.recent.categories)) || pick([...model.categories.keys()])!;
      return { target: id, variables: { id: String(id), subtree: Math.random() < 0.5 } };
    }
    case "priced": {
      // The price of a recently written product's next write: that write moves it into the listing.
      const product = (hot && pick(model.recent.products)) || pick([...model.products.keys()])!;
      const history = model.products.get(product)!;
      const id = history.versions[history.versions.length - 1].state.categoryId;
      const minSeq = history.versions.length;
      return { target: id, variables: { id: String(id), subtree: Math.random() < 0.5, minPrice: priceOf(minSeq) }, minSeq };
    }
    case "shelf": {
      const id = pick(model.shelves)!;
      return { target: id, variables: { id: String(id) } };
    }
    default: {
      const never: never = view;
      throw new Error(`Unknown view ${String(never)}`);
    }
  }
}
