import { createHash } from "node:crypto";

/** The columns of a product that its vector and its vector-index payload are built from. */
export interface IndexedProduct {
  id: number;
  name: string;
  brand: string;
  description: string;
  price: number;
  stock: number;
  categoryId: number;
  /** Ids on the category's materialized path, root first, the category itself last. */
  categoryPath: number[];
  /** Names on that path, root first, " / " between them (the maintained `products.category_text`). */
  categoryText: string;
  attributes: Record<string, unknown>;
}

/**
 * The text a product is embedded from: name, brand, category path and description on their own
 * lines (the local embedder weighs the lines; an HTTP model reads them as prose). The same columns
 * as the full-text document, so a write that changes one changes the other; a category rename or
 * move changes the category line, so the products below it are re-embedded.
 */
export function productDocument(product: Pick<IndexedProduct, "name" | "brand" | "description"> & { categoryText?: string }): string {
  const line = (text: string) => text.replace(/\s+/g, " ").trim();
  return `${line(product.name)}\n${line(product.brand)}\n${line(product.categoryText ?? "")}\n${line(product.description)}`;
}

/**
 * What the vector index stores beside a vector to know it is current: a hash of the embedder's
 * model and the document. Equal fingerprints mean re-embedding would give the same vector.
 */
export function documentFingerprint(model: string, document: string): string {
  return createHash("sha1").update(model).update("\0").update(document).digest("base64url").slice(0, 22);
}
