/**
 * The `Embedder` port: texts in, unit-length vectors out, one per text and in order. Two adapters:
 * `createLocalEmbedder` (deterministic, in process, the default) and `createHttpEmbedder` (an
 * OpenAI-compatible `/embeddings` endpoint). `model` names the adapter, its model and its dimension:
 * vectors of different models are never compared, so a change of model re-embeds the catalog.
 */
export interface Embedder {
  /** e.g. "local-hash-v1/128" or "http:text-embedding-3-small/256". */
  readonly model: string;
  readonly dimensions: number;
  /** What a product's text is embedded as vs. a query: some models want different prefixes. */
  embed(texts: readonly string[], purpose: "document" | "query"): Promise<Float32Array[]>;
}

/** The embedder failed (network, HTTP status, a reply of the wrong shape); search degrades to text. */
export class EmbedderError extends Error {
  override readonly name = "EmbedderError";
}

/** Scales `vector` to length 1 in place (a zero vector stays zero) and returns it. */
export function normalizeInPlace(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i] *= scale;
  return vector;
}

/** Cosine similarity of two unit vectors (their dot product). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}
