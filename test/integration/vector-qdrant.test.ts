import { createQdrantClient, createQdrantIndex } from "../../src/data/search/qdrant-index";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { seedGeneratedCatalog } from "../helpers/shared-data";
import { vectorIndexContract } from "./vector-index-contract";

// The Qdrant adapter against a real Qdrant, under the same contract as pgvector. No Qdrant can
// run on the project's machines: without QDRANT_URL the suite is skipped and says why.
const qdrantUrl = process.env.QDRANT_URL;

if (!qdrantUrl) {
  console.warn("Skipping the Qdrant vector index contract: QDRANT_URL is not set (e.g. QDRANT_URL=http://127.0.0.1:6333 npm test)");
}

(qdrantUrl ? describe : describe.skip)("Qdrant index (real server at QDRANT_URL)", () => {
  let db: TestDatabase;
  const collection = `cg_test_${Date.now().toString(36)}`;
  const options = { url: qdrantUrl ?? "", apiKey: process.env.QDRANT_API_KEY, collection, dimensions: 128, timeoutMs: 10_000 };

  afterAll(async () => {
    if (qdrantUrl) await (await createQdrantClient(options)).deleteCollection(collection).catch(() => undefined);
    await db?.drop();
  });

  vectorIndexContract(async () => {
    db = await createTestDatabase("qdrant");
    await seedGeneratedCatalog(db, { products: 400, categories: 30 });
    return { db, index: createQdrantIndex(options, await createQdrantClient(options)) };
  });
});
