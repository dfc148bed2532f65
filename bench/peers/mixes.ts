import type { Database } from "../../src/data/database";
import { body } from "../gateway-process";

/**
 * The query mixes of issue #11's table, the same bytes for every server. Reads carry no token but
 * in the signed-in line (`readerHeaders`, the gateway's columns only); the price writes carry
 * `writeHeaders` (the gateway checks the editor role, the peers take any caller).
 */

/** One request as autocannon sends it. */
export interface BenchRequest {
  method: "POST";
  path: "/";
  headers: Record<string, string>;
  body: string;
}

export interface Mix {
  name: string;
  /** Sent in rotation by every connection. */
  requests: BenchRequest[];
  /** Measured on the gateway's columns only (the peers verify no token, so a signed-in line says nothing of them). */
  gatewayOnly?: boolean;
}

/** A product the probe and the write mix change; its price is put back after each server. */
export interface WrittenProduct {
  id: number;
  sku: string;
  price: number;
}

export const SKU_QUERY = `query($sku: String!) { productBySku(sku: $sku) { id sku name brand price stock category { id name parent { id name } } } }`;
const CATEGORY_QUERY = `query($id: ID!) { category(id: $id) { id name slug depth children { id name slug productCount } } }`;
const PAGE_QUERY = `query($id: ID!) { products(categoryId: $id, first: 50) { totalCount edges { node { id name price category { name parent { name } } } } } }`;
const TREE_QUERY = `{ categoryTree(maxDepth: 2) { id name children { id name } } }`;
export const PRICE_WRITE = `mutation($id: ID!, $price: Float!) { updateProduct(id: $id, input: { price: $price }) { id price } }`;

const jsonHeaders = { "content-type": "application/json" };
const read = (payload: string): BenchRequest => ({ method: "POST", path: "/", headers: jsonHeaders, body: payload });

/** The mixed workload, per ten requests: 5 SKU lookups, 2 categories, 2 pages, 1 tree. */
const MIXED_PATTERN = ["sku", "category", "sku", "page", "sku", "tree", "sku", "category", "sku", "page"] as const;

/** The mixes over this catalog, and the products the writes and the probe change. */
export async function createMixes(db: Database, writeHeaders: Record<string, string>, readerHeaders: Record<string, string>) {
  const hot = await db.sql.query<{ id: number; sku: string; price: string }>(
    `SELECT id, sku, price FROM products ORDER BY popularity DESC, id LIMIT 20`,
  );
  const parents = await db.sql.query<{ id: number }>(
    `SELECT c.id FROM categories c WHERE EXISTS (SELECT 1 FROM categories k WHERE k.parent_id = c.id) ORDER BY c.depth, c.id LIMIT 20`,
  );
  const listed = await db.sql.query<{ id: number }>(`SELECT c.id FROM categories c WHERE c.depth <= 1 ORDER BY c.id LIMIT 10`);
  const kinds = {
    sku: hot.map(({ sku }) => read(body(SKU_QUERY, { sku }))),
    category: parents.map(({ id }) => read(body(CATEGORY_QUERY, { id: String(id) }))),
    page: listed.map(({ id }) => read(body(PAGE_QUERY, { id: String(id) }))),
    tree: [read(body(TREE_QUERY))],
  };
  const turns = { sku: 0, category: 0, page: 0, tree: 0 };
  const mixed = Array.from({ length: 100 }, (_, i) => {
    const kind = MIXED_PATTERN[i % MIXED_PATTERN.length];
    return kinds[kind][turns[kind]++ % kinds[kind].length];
  });
  // Two SKU reads in a hundred become price writes of one hot product: up by one, then back.
  const [written, probed] = [hot[2], hot[3]].map((row) => ({ id: row.id, sku: row.sku, price: Number(row.price) }));
  const write = (price: number): BenchRequest => ({
    method: "POST",
    path: "/",
    headers: { ...jsonHeaders, ...writeHeaders },
    body: body(PRICE_WRITE, { id: String(written.id), price }),
  });
  const withWrites = mixed.map((request, i) => (i === 0 ? write(written.price + 1) : i === 50 ? write(written.price) : request));

  const mixes: Mix[] = [
    { name: "productBySku with category and parent", requests: kinds.sku },
    { name: "category with children", requests: kinds.category },
    { name: "50-product page, nested categories", requests: kinds.page },
    { name: "categoryTree(maxDepth: 2)", requests: kinds.tree },
    { name: "mixed (50% SKU, 20% category, 20% page, 10% tree)", requests: mixed },
    { name: "mixed + 2% price writes", requests: withWrites },
    // Issue #11: signed-in readers within 10% of anonymous ones (the SKU line with a valid token of no role).
    { name: "productBySku, signed in (valid token)", requests: kinds.sku.map((request) => ({ ...request, headers: { ...request.headers, ...readerHeaders } })), gatewayOnly: true },
  ];
  /** Every distinct read, to check each server answers what the gateway answers. */
  const reads = [...kinds.sku, ...kinds.category, ...kinds.page, ...kinds.tree];
  return { mixes, reads, written: [written, probed], probed };
}
