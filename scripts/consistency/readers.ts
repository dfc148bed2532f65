import { post } from "./client";
import { recentSkus, type Model } from "./model";
import { pick } from "./writers";

/**
 * The reader tasks: each picks a view of an entity under test and a gateway at random, and
 * records when the read ran and what it saw; `verify.ts` judges the records after the run.
 */

/** The views readers ask for, each checked its own way. */
export type View = "product" | "productBySku" | "category" | "listing" | "shelf";

/** One read: what was asked, through which gateway, when (performance.now(), ms) and what came back. */
export interface ReadRecord {
  view: View;
  gateway: number;
  /** The product, category or shelf id the view is about. */
  target: number;
  /** The SKU looked up (productBySku). */
  sku?: string;
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
  category: `query($id: ID!) { category(id: $id) { id name parent { id } } }`,
  listing: `query($id: ID!) {
    category(id: $id) {
      products(includeDescendants: false, first: 100) { totalCount edges { node { id } } }
      productCount(includeDescendants: false)
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
  const { target, variables, sku } = chooseTarget(view, ctx.model);
  const gateway = Math.floor(Math.random() * ctx.urls.length);
  const startMs = performance.now();
  try {
    const response = await post(ctx.urls[gateway], queries[view], variables);
    const endMs = performance.now();
    if (response.errors?.length || !response.data) throw new Error(JSON.stringify(response.errors?.[0] ?? "no data"));
    ctx.reads.push({ view, gateway, target, sku, startMs, endMs, data: response.data });
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

// SKU lookups ask for one of the product's last three SKUs: the current one (or the one a write
// in flight is setting), and the ones it held before, which must stop resolving to it.
function chooseTarget(view: View, model: Model): { target: number; variables: Record<string, unknown>; sku?: string } {
  switch (view) {
    case "product":
    case "productBySku": {
      const history = pick([...model.products.values()])!;
      if (view === "product") return { target: history.id, variables: { id: String(history.id) } };
      const sku = pick(recentSkus(history, 3))!;
      return { target: history.id, variables: { sku }, sku };
    }
    case "category":
    case "listing": {
      const id = pick([...model.categories.keys()])!;
      return { target: id, variables: { id: String(id) } };
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
