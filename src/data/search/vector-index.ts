import type { ProductFilterInput } from "../repositories/product-repository";

/** A product's vector and what filtered vector search needs to know about it. */
export interface VectorPoint {
  id: number;
  vector: Float32Array;
  /** `documentFingerprint` of the text the vector was made from. */
  fingerprint: string;
  /** Payload for filtering where the index cannot join the products table (Qdrant). */
  payload: VectorPayload;
}

/** The filterable columns of a product, as Qdrant stores them beside the vector. */
export interface VectorPayload {
  /** Ids on the category's path, root first: a subtree filter is one match on this array. */
  categoryPath: number[];
  brand: string;
  price: number;
  stock: number;
  attributes: Record<string, unknown>;
}

/** Where a search looks: a category subtree (by id) and the product filter. */
export interface SearchScope {
  categoryId: number | null;
  filter: ProductFilterInput;
}

/** A nearest-neighbour query: `limit` best products within `scope` whose cosine similarity is at least `minScore`. */
export interface VectorQuery {
  vector: Float32Array;
  scope: SearchScope;
  limit: number;
  minScore: number;
}

/** A neighbour: a product id and its cosine similarity to the query (1 is identical). */
export interface VectorHit {
  id: number;
  score: number;
}

/**
 * The `VectorIndex` port (DESIGN.md, "Search"): product vectors keyed by product id, searched by
 * cosine similarity with the search filters applied before ranking. Adapters: pgvector (in the
 * catalog's own database, PGlite or a PostgreSQL with the extension) and Qdrant. Every adapter
 * passes the one contract suite in test/integration/vector-index-contract.ts.
 */
export interface VectorIndex {
  readonly kind: "pgvector" | "qdrant";
  readonly dimensions: number;
  /** Whether points keep a payload the filters read (Qdrant); false where they join the products table (pgvector). */
  readonly keepsPayload: boolean;
  /** Creates the table or collection (and its indexes) if missing; idempotent, safe to call on every start. */
  ensureSchema(): Promise<void>;
  /**
   * Runs `work` (many upserts) the fastest way the index knows: pgvector drops its HNSW index and
   * builds it again at the end (about 4x faster than inserting into it row by row); Qdrant just runs it.
   */
  bulkLoad<T>(work: () => Promise<T>): Promise<T>;
  /** Inserts or replaces points; callers batch (the indexer sends at most a few hundred at once). */
  upsert(points: readonly VectorPoint[]): Promise<void>;
  /**
   * Replaces the payload of points whose vector is still current (a price or stock change), where
   * it differs from the stored one; returns how many were written (0 where the index keeps no
   * payload: pgvector joins the products table instead).
   */
  updatePayload(points: readonly { id: number; payload: VectorPayload }[]): Promise<number>;
  /** Removes points; ids that are not there are ignored. */
  remove(ids: readonly number[]): Promise<void>;
  /** The stored fingerprint of each id that has a point. */
  fingerprints(ids: readonly number[]): Promise<Map<number, string>>;
  search(query: VectorQuery): Promise<VectorHit[]>;
  /** Number of points (for readiness and tests). */
  count(): Promise<number>;
  /** Whether the index answers now. */
  ping(): Promise<boolean>;
  /** Removes every point (tests and a full re-index). */
  clear(): Promise<void>;
}

/** The vector index failed or is not configured; VECTOR answers SERVICE_UNAVAILABLE, HYBRID falls back to text. */
export class VectorIndexUnavailableError extends Error {
  override readonly name = "VectorIndexUnavailableError";
}

/** Encodes a vector as pgvector's text form "[0.1234568,...]": 7 significant digits, what a float4 holds. */
export function vectorLiteral(vector: Float32Array | readonly number[]): string {
  const parts = new Array<string>(vector.length);
  for (let i = 0; i < vector.length; i++) parts[i] = Number.isFinite(vector[i]) ? vector[i].toPrecision(7) : "0";
  return `[${parts.join(",")}]`;
}
