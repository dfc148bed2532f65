import { ConfigError, loadConfig } from "../../src/config";

describe("search settings", () => {
  it("defaults to auto vector index, the local embedder at 128 dimensions, k=60", () => {
    const { search } = loadConfig({});
    expect(search).toMatchObject({
      vectorIndex: "auto",
      embedder: { kind: "local", dimensions: 128 },
      qdrant: { collection: "catalog_products" },
      rrfK: 60,
      rrfVectorWeight: 0.5,
      popularityWeight: 0.7,
      maxPageSize: 100,
      defaultPageSize: 20,
      maxQueryLength: 256,
      maxResults: 1000,
      candidateLimit: 2000,
      vectorCandidates: 100,
      vectorMinScore: 0.3,
      autocomplete: { defaultLimit: 10, maxLimit: 50 },
      syncOnStart: true,
    });
    expect(search.qdrant.url).toBeUndefined();
  });

  it("configures the HTTP embedder and Qdrant", () => {
    const { search } = loadConfig({
      EMBEDDER: "http",
      EMBEDDER_URL: "https://api.openai.com/v1",
      EMBEDDER_API_KEY: "sk-x",
      EMBEDDING_DIMENSIONS: "256",
      QDRANT_URL: "http://127.0.0.1:6333",
      VECTOR_INDEX: "qdrant",
      SEARCH_RRF_K: "20",
      SEARCH_RRF_VECTOR_WEIGHT: "1",
      SEARCH_POPULARITY_WEIGHT: "0.2",
    });
    expect(search.embedder).toEqual({ kind: "http", dimensions: 256, url: "https://api.openai.com/v1", model: "text-embedding-3-small", apiKey: "sk-x", timeoutMs: 10_000, batchSize: 128 });
    expect(search.qdrant.url).toBe("http://127.0.0.1:6333");
    expect(search.rrfK).toBe(20);
    expect(search.rrfVectorWeight).toBe(1);
    expect(search.popularityWeight).toBe(0.2);
  });

  it("reads every match when SEARCH_CANDIDATE_LIMIT is 0", () => {
    expect(loadConfig({ SEARCH_CANDIDATE_LIMIT: "0" }).search.candidateLimit).toBeNull();
    expect(loadConfig({ SEARCH_CANDIDATE_LIMIT: "500" }).search.candidateLimit).toBe(500);
  });

  it.each([
    ["EMBEDDER_URL", { EMBEDDER: "http" }],
    ["VECTOR_INDEX", { VECTOR_INDEX: "qdrant" }],
    ["VECTOR_INDEX", { VECTOR_INDEX: "faiss" }],
    ["QDRANT_URL", { QDRANT_URL: "127.0.0.1:6333" }],
    ["EMBEDDING_DIMENSIONS", { EMBEDDING_DIMENSIONS: "3" }],
    ["SEARCH_VECTOR_MIN_SCORE", { SEARCH_VECTOR_MIN_SCORE: "2" }],
    ["MAX_SEARCH_PAGE_SIZE", { MAX_SEARCH_PAGE_SIZE: "0" }],
    ["SEARCH_CANDIDATE_LIMIT", { SEARCH_CANDIDATE_LIMIT: "-1" }],
    ["AUTOCOMPLETE_DEFAULT_LIMIT", { AUTOCOMPLETE_DEFAULT_LIMIT: "60" }],
  ])("names %s when its value is bad", (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable}=`));
  });
});
