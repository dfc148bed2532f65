import type { Schemas } from "@qdrant/js-client-rest" with { "resolution-mode": "import" };
import type { SearchScope, VectorPayload, VectorPoint } from "./vector-index";

/**
 * How the port's requests become Qdrant's: pure functions, so the mapping is unit-tested without a
 * server (test/unit/vector-qdrant-mapping.test.ts) and the adapter stays a thin shell around them.
 */

/** The payload fields that carry a Qdrant payload index, and their index types. */
export const QDRANT_PAYLOAD_INDEXES: readonly { field: keyof VectorPayload; schema: "integer" | "keyword" | "float" }[] = [
  { field: "categoryPath", schema: "integer" },
  { field: "brand", schema: "keyword" },
  { field: "price", schema: "float" },
  { field: "stock", schema: "integer" },
];

/** A point as Qdrant stores it: the product id as the point id, the fingerprint in the payload. */
export function toQdrantPoint(point: VectorPoint): Schemas["PointStruct"] {
  return { id: point.id, vector: Array.from(point.vector), payload: { ...point.payload, fingerprint: point.fingerprint } };
}

/**
 * The scope as a Qdrant filter, meaning what the SQL side means: a category subtree is a match on
 * the path array, prices are inclusive, brands exact, attribute values any-of (a fractional number
 * as a one-point range, since Qdrant matches only strings, integers and booleans). Undefined when
 * nothing is filtered.
 */
export function toQdrantFilter(scope: SearchScope): Schemas["Filter"] | undefined {
  const must: Schemas["Condition"][] = [];
  const { filter } = scope;
  if (scope.categoryId !== null) must.push({ key: "categoryPath", match: { value: scope.categoryId } });
  if (filter.minPrice !== undefined || filter.maxPrice !== undefined) {
    must.push({
      key: "price",
      range: {
        ...(filter.minPrice !== undefined ? { gte: Number(filter.minPrice) } : {}),
        ...(filter.maxPrice !== undefined ? { lte: Number(filter.maxPrice) } : {}),
      },
    });
  }
  if (filter.brands?.length) must.push({ key: "brand", match: { any: [...filter.brands] } });
  if (filter.inStock !== undefined) must.push(filter.inStock ? { key: "stock", range: { gt: 0 } } : { key: "stock", match: { value: 0 } });
  for (const attribute of filter.attributes ?? []) {
    const key = `attributes.${attribute.name}`;
    if (attribute.values?.length) must.push({ should: attribute.values.map((value) => valueCondition(key, value)) });
    if (attribute.min !== undefined || attribute.max !== undefined) {
      must.push({
        key,
        range: {
          ...(attribute.min !== undefined ? { gte: attribute.min } : {}),
          ...(attribute.max !== undefined ? { lte: attribute.max } : {}),
        },
      });
    }
  }
  return must.length ? { must } : undefined;
}

function valueCondition(key: string, value: string | number | boolean): Schemas["FieldCondition"] {
  if (typeof value === "number" && !Number.isInteger(value)) return { key, range: { gte: value, lte: value } };
  return { key, match: { value } };
}

/** The search request of a nearest-neighbour query. */
export function toQdrantSearch(vector: Float32Array, scope: SearchScope, limit: number, minScore: number): Schemas["SearchRequest"] {
  const filter = toQdrantFilter(scope);
  return { vector: Array.from(vector), limit, score_threshold: minScore, with_payload: false, with_vector: false, ...(filter ? { filter } : {}) };
}

/** A point's id as the product id; Qdrant also allows UUIDs, which this collection never holds. */
export function productIdOf(id: string | number): number {
  const n = typeof id === "number" ? id : Number(id);
  if (!Number.isSafeInteger(n)) throw new TypeError(`A Qdrant point id of this collection must be a product id, got ${JSON.stringify(id)}`);
  return n;
}
