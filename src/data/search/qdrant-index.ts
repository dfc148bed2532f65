// The client is an ES module: its types come through an import attribute, the code through import().
import type { QdrantClient } from "@qdrant/js-client-rest" with { "resolution-mode": "import" };
import { QDRANT_PAYLOAD_INDEXES, productIdOf, toQdrantPoint, toQdrantSearch } from "./qdrant-mapping";
import type { VectorIndex, VectorPayload } from "./vector-index";

/** The part of QdrantClient the adapter uses: narrow, so the mapping test can record calls. */
export type QdrantApi = Pick<
  QdrantClient,
  | "collectionExists"
  | "createCollection"
  | "getCollection"
  | "deleteCollection"
  | "createPayloadIndex"
  | "upsert"
  | "batchUpdate"
  | "delete"
  | "retrieve"
  | "search"
  | "count"
>;

export interface QdrantIndexOptions {
  url: string;
  apiKey?: string;
  collection: string;
  dimensions: number;
  /** Request timeout, ms. */
  timeoutMs: number;
}

/** The payload fields the gateway writes (`VectorPayload`), read back to skip unchanged ones. */
const PAYLOAD_FIELDS: (keyof VectorPayload)[] = ["categoryPath", "brand", "price", "stock", "attributes"];

/**
 * A Qdrant client for `options`. The client asks the server's version in the background (start-up
 * does not wait) and warns when it is not within one minor version of its own; docker-compose.yml
 * runs the server matching package.json's client.
 */
export async function createQdrantClient(options: Pick<QdrantIndexOptions, "url" | "apiKey" | "timeoutMs">): Promise<QdrantClient> {
  const { QdrantClient: Client } = await import("@qdrant/js-client-rest");
  return new Client({ url: options.url, apiKey: options.apiKey, timeout: options.timeoutMs });
}

/**
 * The Qdrant adapter: one collection (cosine distance, created on start with payload indexes on
 * the category path, brand, price and stock), one point per product whose id is the product id.
 * Filters run on the payload inside Qdrant, before ranking; the gateway then re-applies them in
 * SQL, so a payload a write has not reached yet can drop a hit but never add a wrong one.
 */
export function createQdrantIndex(options: QdrantIndexOptions, client: QdrantApi): VectorIndex {
  const { collection, dimensions } = options;
  return {
    kind: "qdrant",
    keepsPayload: true,
    dimensions,

    async ensureSchema() {
      const { exists } = await client.collectionExists(collection);
      if (exists) {
        const info = await client.getCollection(collection);
        const vectors = info.config.params.vectors as { size?: number } | undefined;
        if (vectors?.size === dimensions) return;
        // Vectors of another dimension cannot be searched with this embedder: start over.
        await client.deleteCollection(collection);
      }
      await client.createCollection(collection, { vectors: { size: dimensions, distance: "Cosine" } });
      for (const { field, schema } of QDRANT_PAYLOAD_INDEXES) {
        await client.createPayloadIndex(collection, { field_name: field, field_schema: schema, wait: true });
      }
    },

    // Qdrant indexes in the background; nothing to gain by pausing it.
    bulkLoad: (work) => work(),

    async upsert(points) {
      if (points.length === 0) return;
      await client.upsert(collection, { wait: true, points: points.map(toQdrantPoint) });
    },

    async updatePayload(points) {
      if (points.length === 0) return 0;
      // Only payloads that differ from the stored one are written: a restart's sync finds most
      // products unchanged, and a write to Qdrant costs far more than this read.
      const stored = await client.retrieve(collection, { ids: points.map((point) => point.id), with_payload: PAYLOAD_FIELDS, with_vector: false });
      const storedById = new Map(stored.map((point) => [productIdOf(point.id), payloadKey(point.payload ?? {})]));
      const changed = points.filter(({ id, payload }) => storedById.get(id) !== payloadKey(payload));
      if (changed.length === 0) return 0;
      await client.batchUpdate(collection, {
        wait: true,
        // set_payload keeps the fingerprint, which only an upsert of a new vector changes.
        operations: changed.map(({ id, payload }) => ({ set_payload: { payload: { ...payload }, points: [id] } })),
      });
      return changed.length;
    },

    async remove(ids) {
      if (ids.length === 0) return;
      await client.delete(collection, { wait: true, points: [...ids] });
    },

    async fingerprints(ids) {
      if (ids.length === 0) return new Map();
      const points = await client.retrieve(collection, { ids: [...ids], with_payload: ["fingerprint"], with_vector: false });
      return new Map(points.map((point) => [productIdOf(point.id), String(point.payload?.fingerprint ?? "")]));
    },

    async search({ vector, scope, limit, minScore }) {
      const hits = await client.search(collection, toQdrantSearch(vector, scope, limit, minScore));
      return hits.map((hit) => ({ id: productIdOf(hit.id), score: hit.score })).sort((a, b) => b.score - a.score || a.id - b.id);
    },

    async count() {
      return (await client.count(collection, { exact: true })).count;
    },

    async ping() {
      return client.collectionExists(collection).then(({ exists }) => exists, () => false);
    },

    async clear() {
      await client.deleteCollection(collection);
      await this.ensureSchema();
    },
  };
}

// The payload as comparable text: its fields in a fixed order, object keys sorted at every level
// (Qdrant does not promise to keep the order they were written in).
function payloadKey(payload: Partial<Record<keyof VectorPayload, unknown>>): string {
  return JSON.stringify(PAYLOAD_FIELDS.map((field) => sortedKeys(payload[field])));
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, inner]) => [key, sortedKeys(inner)]));
  }
  return value ?? null;
}
