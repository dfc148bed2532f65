import { createDatabase, type Database } from "../../src/data/database";
import { migrate } from "../../src/data/migrator";
import { createPgvectorIndex, hasPgvector } from "../../src/data/search/pgvector-index";
import { createTestDatabase } from "../helpers/database";
import { seedGeneratedCatalog } from "../helpers/shared-data";
import { vectorIndexContract } from "./vector-index-contract";

// The pgvector adapter in PGlite (this machine's PostgreSQL has no pgvector), under the contract
// every vector index passes.
describe("pgvector index (PGlite)", () => {
  let db: Database;
  afterAll(() => db?.close());

  vectorIndexContract(async () => {
    db = await createDatabase({ kind: "pglite", dataDir: "memory://" });
    await migrate(db.sql);
    await seedGeneratedCatalog(db, { products: 400, categories: 30 });
    expect(await hasPgvector(db.prisma)).toBe(true);
    return { db, index: createPgvectorIndex(db.prisma, 128) };
  });

  it("starts over when the configured dimension changes", async () => {
    const wider = createPgvectorIndex(db.prisma, 64);
    await wider.ensureSchema();
    const [row] = await db.sql.query<{ dims: number }>(
      `SELECT atttypmod AS dims FROM pg_attribute WHERE attrelid = 'product_embeddings'::regclass AND attname = 'embedding'`,
    );
    expect(row.dims).toBe(64);
    expect(await wider.count()).toBe(0);
  });

  it("builds its HNSW index only once the table holds hnswMinRows vectors (an exact scan below)", async () => {
    const hnswIndexes = async () =>
      (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'product_embeddings_hnsw_idx'`))[0].n;
    const point = (id: number) => ({ id, vector: new Float32Array(32).fill(id), fingerprint: "f", payload: { categoryPath: [], brand: "", price: 0, stock: 0, attributes: {} } });
    const ids = (await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id LIMIT 3`)).map((row) => row.id);
    const index = createPgvectorIndex(db.prisma, 32, { hnswMinRows: 3 });
    await index.ensureSchema();
    expect(await hnswIndexes()).toBe(0);
    await index.bulkLoad(() => index.upsert(ids.slice(0, 2).map(point)));
    expect(await hnswIndexes()).toBe(0);
    await index.bulkLoad(() => index.upsert(ids.slice(2).map(point)));
    expect(await hnswIndexes()).toBe(1);
    expect((await index.search({ vector: point(1).vector, scope: { categoryId: null, filter: {} }, limit: 3, minScore: -1 })).length).toBe(3);
    // The default threshold (10,000) is far above these 3 rows: a start's schema check leaves the index as it is, and a bulk load drops it.
    const standard = createPgvectorIndex(db.prisma, 32);
    await standard.ensureSchema();
    expect(await hnswIndexes()).toBe(1);
    await standard.bulkLoad(async () => undefined);
    expect(await hnswIndexes()).toBe(0);
  });

  it("drops a product's vector with the product (foreign key)", async () => {
    const index = createPgvectorIndex(db.prisma, 64);
    await index.ensureSchema();
    const [product] = await db.sql.query<{ id: number }>(`SELECT id FROM products ORDER BY id DESC LIMIT 1`);
    await index.upsert([{ id: product.id, vector: new Float32Array(64).fill(0.125), fingerprint: "f", payload: { categoryPath: [], brand: "", price: 0, stock: 0, attributes: {} } }]);
    expect(await index.count()).toBe(1);
    await db.sql.query(`DELETE FROM products WHERE id = $1`, [product.id]);
    expect(await index.count()).toBe(0);
  });
});

// PostgreSQL without the extension still migrates: the vector part of the migration is conditional.
describe("search migration on PostgreSQL without pgvector", () => {
  it("applies, leaving vectors to Qdrant", async () => {
    const pg = await createTestDatabase("novec");
    try {
      const [available] = await pg.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`);
      const installed = await hasPgvector(pg.prisma);
      expect(installed).toBe(available.n > 0);
      const columns = await pg.sql.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'products' AND column_name IN ('search_vector', 'suggest_vector') ORDER BY 1`,
      );
      expect(columns.map((c) => c.column_name)).toEqual(["search_vector", "suggest_vector"]);
    } finally {
      await pg.drop();
    }
  });
});
