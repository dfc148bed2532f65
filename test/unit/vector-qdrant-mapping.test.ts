import { QDRANT_PAYLOAD_INDEXES, toQdrantFilter, toQdrantPoint, toQdrantSearch } from "../../src/data/search/qdrant-mapping";
import { createQdrantIndex, type QdrantApi } from "../../src/data/search/qdrant-index";
import type { SearchScope } from "../../src/data/search/vector-index";

// A mapping test, not a Qdrant test: it checks the requests the adapter would send, against a
// recording stand-in for the client. The same adapter runs against a real Qdrant in
// test/integration/vector-qdrant.test.ts when QDRANT_URL is set.
describe("Qdrant adapter request mapping (no server)", () => {
  const scope = (filter: SearchScope["filter"], categoryId: number | null = null): SearchScope => ({ categoryId, filter });

  it("maps no filter to no Qdrant filter", () => {
    expect(toQdrantFilter(scope({}))).toBeUndefined();
  });

  it("maps the category subtree, price range, brands and stock", () => {
    expect(toQdrantFilter(scope({ minPrice: "10.00", maxPrice: "99.99", brands: ["Apple", "Samsung"], inStock: true }, 7))).toEqual({
      must: [
        { key: "categoryPath", match: { value: 7 } },
        { key: "price", range: { gte: 10, lte: 99.99 } },
        { key: "brand", match: { any: ["Apple", "Samsung"] } },
        { key: "stock", range: { gt: 0 } },
      ],
    });
    expect(toQdrantFilter(scope({ maxPrice: "5.00", inStock: false }))).toEqual({
      must: [{ key: "price", range: { lte: 5 } }, { key: "stock", match: { value: 0 } }],
    });
  });

  it("maps attribute values to any-of (a fractional number as a one-point range) and bounds to a range", () => {
    const filter = toQdrantFilter(scope({ attributes: [{ name: "color", values: ["Black", "Red"] }, { name: "screen", values: [15.6, 17, true] }, { name: "storageGb", min: 64, max: 512 }] }));
    expect(filter).toEqual({
      must: [
        { should: [{ key: "attributes.color", match: { value: "Black" } }, { key: "attributes.color", match: { value: "Red" } }] },
        {
          should: [
            { key: "attributes.screen", range: { gte: 15.6, lte: 15.6 } },
            { key: "attributes.screen", match: { value: 17 } },
            { key: "attributes.screen", match: { value: true } },
          ],
        },
        { key: "attributes.storageGb", range: { gte: 64, lte: 512 } },
      ],
    });
  });

  it("maps a point to an id, a plain vector and a payload carrying the fingerprint", () => {
    const point = toQdrantPoint({
      id: 42,
      vector: Float32Array.from([0.5, -0.5]),
      fingerprint: "fp",
      payload: { categoryPath: [1, 7], brand: "Apple", price: 9.99, stock: 3, attributes: { color: "Black" } },
    });
    expect(point).toEqual({ id: 42, vector: [0.5, -0.5], payload: { categoryPath: [1, 7], brand: "Apple", price: 9.99, stock: 3, attributes: { color: "Black" }, fingerprint: "fp" } });
  });

  it("maps a search to a filtered kNN request with a score threshold and no payload", () => {
    expect(toQdrantSearch(Float32Array.from([1, 0]), scope({ brands: ["Apple"] }), 100, 0.35)).toEqual({
      vector: [1, 0],
      limit: 100,
      score_threshold: 0.35,
      with_payload: false,
      with_vector: false,
      filter: { must: [{ key: "brand", match: { any: ["Apple"] } }] },
    });
  });

  // A stand-in that records each call and answers like Qdrant's REST API would.
  function recordingClient(existing: { size: number } | null) {
    const calls: [string, ...unknown[]][] = [];
    const record = (name: string, answer: unknown) => async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return typeof answer === "function" ? (answer as (...a: unknown[]) => unknown)(...args) : answer;
    };
    const client = {
      collectionExists: record("collectionExists", { exists: existing !== null }),
      getCollection: record("getCollection", { config: { params: { vectors: existing } } }),
      deleteCollection: record("deleteCollection", true),
      createCollection: record("createCollection", true),
      createPayloadIndex: record("createPayloadIndex", {}),
      upsert: record("upsert", {}),
      batchUpdate: record("batchUpdate", []),
      delete: record("delete", {}),
      retrieve: record("retrieve", [{ id: 1, payload: { fingerprint: "a" } }, { id: "2", payload: { fingerprint: "b" } }]),
      search: record("search", [{ id: 2, score: 0.5 }, { id: 1, score: 0.9 }]),
      count: record("count", { count: 2 }),
    } as unknown as QdrantApi;
    return { client, calls };
  }
  const options = { url: "http://qdrant.invalid:6333", collection: "products_test", dimensions: 4, timeoutMs: 100 };

  it("creates a missing collection with cosine distance and the payload indexes", async () => {
    const { client, calls } = recordingClient(null);
    await createQdrantIndex(options, client).ensureSchema();
    expect(calls.map(([name]) => name)).toEqual(["collectionExists", "createCollection", ...QDRANT_PAYLOAD_INDEXES.map(() => "createPayloadIndex")]);
    expect(calls[1]).toEqual(["createCollection", "products_test", { vectors: { size: 4, distance: "Cosine" } }]);
    expect(calls.slice(2).map((call) => (call[2] as { field_name: string }).field_name)).toEqual(["categoryPath", "brand", "price", "stock"]);
  });

  it("keeps a collection of the right dimension and recreates one of another", async () => {
    const same = recordingClient({ size: 4 });
    await createQdrantIndex(options, same.client).ensureSchema();
    expect(same.calls.map(([name]) => name)).toEqual(["collectionExists", "getCollection"]);
    const other = recordingClient({ size: 768 });
    await createQdrantIndex(options, other.client).ensureSchema();
    expect(other.calls.map(([name]) => name).slice(0, 4)).toEqual(["collectionExists", "getCollection", "deleteCollection", "createCollection"]);
  });

  it("writes no payload that equals the stored one, whatever the order of its keys", async () => {
    const { client, calls } = recordingClient({ size: 4 });
    const stored = { categoryPath: [1, 2], brand: "B", price: 9.5, stock: 3, attributes: { color: "black", storage: "64 GB" } };
    client.retrieve = (async (...args: unknown[]) => {
      calls.push(["retrieve", ...args]);
      return [{ id: 7, payload: { fingerprint: "f", ...stored } }];
    }) as typeof client.retrieve;
    const index = createQdrantIndex(options, client);
    const same = { stock: 3, price: 9.5, brand: "B", categoryPath: [1, 2], attributes: { storage: "64 GB", color: "black" } };
    expect(await index.updatePayload([{ id: 7, payload: same }])).toBe(0);
    expect(await index.updatePayload([{ id: 7, payload: { ...same, stock: 2 } }])).toBe(1);
    expect(calls.map(([name]) => name)).toEqual(["retrieve", "retrieve", "batchUpdate"]);
  });

  it("sends upserts, payload updates and deletes with wait, and reads fingerprints and hits back as product ids", async () => {
    const { client, calls } = recordingClient({ size: 4 });
    const index = createQdrantIndex(options, client);
    const payload = { categoryPath: [1], brand: "B", price: 1, stock: 0, attributes: {} };
    await index.upsert([{ id: 1, vector: Float32Array.from([1, 0, 0, 0]), fingerprint: "a", payload }]);
    expect(await index.updatePayload([{ id: 2, payload }])).toBe(1);
    await index.remove([3]);
    expect(calls[0]).toEqual(["upsert", "products_test", { wait: true, points: [{ id: 1, vector: [1, 0, 0, 0], payload: { ...payload, fingerprint: "a" } }] }]);
    // The stored payload is read first; only a point whose payload differs is written.
    expect(calls[1]).toEqual(["retrieve", "products_test", { ids: [2], with_payload: ["categoryPath", "brand", "price", "stock", "attributes"], with_vector: false }]);
    expect(calls[2]).toEqual(["batchUpdate", "products_test", { wait: true, operations: [{ set_payload: { payload, points: [2] } }] }]);
    expect(calls[3]).toEqual(["delete", "products_test", { wait: true, points: [3] }]);
    expect(await index.fingerprints([1, 2])).toEqual(new Map([[1, "a"], [2, "b"]]));
    expect(await index.search({ vector: Float32Array.from([1, 0, 0, 0]), scope: scope({}), limit: 5, minScore: 0.1 })).toEqual([
      { id: 1, score: 0.9 },
      { id: 2, score: 0.5 },
    ]);
    expect(calls.find(([name]) => name === "search")).toEqual(["search", "products_test", { vector: [1, 0, 0, 0], limit: 5, score_threshold: 0.1, with_payload: false, with_vector: false }]);
  });
});
