import type { PrismaClient } from "../../generated/prisma/client";
import { SqlParams, scopeWhere } from "./filter-sql";
import { vectorLiteral, type VectorIndex } from "./vector-index";

/** Table of product vectors; created here (not in a migration) because its dimension is configured. */
export const EMBEDDINGS_TABLE = "product_embeddings";

const CREATE_HNSW_INDEX = `CREATE INDEX IF NOT EXISTS ${EMBEDDINGS_TABLE}_hnsw_idx ON ${EMBEDDINGS_TABLE} USING hnsw (embedding vector_cosine_ops)`;

/**
 * Below this many vectors there is no HNSW index: an exact scan answers about as fast and exactly.
 * On PGlite, 2 loaded cores: an exact kNN of 128 dimensions took 36 ms over 5,000 rows and 92 ms
 * over 20,000, an HNSW query 37 ms; building the index over 5,000 rows took about 8 s, during
 * which PGlite (one thread with the gateway) answers nothing. Each start creates it once the
 * table has grown past this (see `ensureSchema`).
 */
export const HNSW_MIN_ROWS = 10_000;

// Any fixed number: gateways starting together create or resize the table once.
const SCHEMA_LOCK_ID = 7_204_119;

/** Whether the connected database has pgvector installed (the search migration installs it where available). */
export async function hasPgvector(prisma: PrismaClient): Promise<boolean> {
  const rows = await prisma.$queryRawUnsafe<{ found: boolean }[]>(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS found`);
  return rows[0]?.found === true;
}

/**
 * The pgvector adapter: vectors in `product_embeddings` beside the catalog, one row per product
 * (deleted with it by a foreign key), an HNSW index on cosine distance. Filters are the same SQL
 * as the text side, joined to `products`, so there is no payload to keep in step. A filtered
 * search runs with pgvector 0.8's iterative index scan, so a selective filter still fills `limit`
 * (up to hnsw.max_scan_tuples, 20,000 rows by default).
 */
export function createPgvectorIndex(prisma: PrismaClient, dimensions: number, { hnswMinRows = HNSW_MIN_ROWS } = {}): VectorIndex {
  const rows = async (client: Pick<PrismaClient, "$queryRawUnsafe"> = prisma) =>
    Number((await client.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${EMBEDDINGS_TABLE}`))[0].n);
  return {
    kind: "pgvector",
    keepsPayload: false,
    dimensions,

    async ensureSchema() {
      await prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK_ID})`);
        const [column] = await tx.$queryRawUnsafe<{ dims: number }[]>(
          `SELECT a.atttypmod AS dims FROM pg_attribute a
            WHERE a.attrelid = to_regclass('${EMBEDDINGS_TABLE}') AND a.attname = 'embedding' AND NOT a.attisdropped`,
        );
        // Vectors of another dimension can never be compared with the configured embedder's: start over.
        if (column && Number(column.dims) !== dimensions) await tx.$executeRawUnsafe(`DROP TABLE ${EMBEDDINGS_TABLE}`);
        await tx.$executeRawUnsafe(
          `CREATE TABLE IF NOT EXISTS ${EMBEDDINGS_TABLE} (
             product_id  INTEGER PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
             fingerprint TEXT NOT NULL,
             embedding   vector(${dimensions}) NOT NULL)`,
        );
        if ((await rows(tx)) >= hnswMinRows) await tx.$executeRawUnsafe(CREATE_HNSW_INDEX);
      }, { timeout: 600_000 });
    },

    async bulkLoad(work) {
      await prisma.$executeRawUnsafe(`DROP INDEX IF EXISTS ${EMBEDDINGS_TABLE}_hnsw_idx`);
      try {
        return await work();
      } finally {
        if ((await rows()) >= hnswMinRows) await prisma.$executeRawUnsafe(CREATE_HNSW_INDEX);
      }
    },

    async upsert(points) {
      if (points.length === 0) return;
      // A product deleted meanwhile is skipped rather than failing the batch on the foreign key.
      await prisma.$executeRawUnsafe(
        `INSERT INTO ${EMBEDDINGS_TABLE} (product_id, fingerprint, embedding)
         SELECT v.id, v.fingerprint, v.embedding::vector
           FROM unnest($1::int[], $2::text[], $3::text[]) AS v(id, fingerprint, embedding)
          WHERE EXISTS (SELECT 1 FROM products p WHERE p.id = v.id)
         ON CONFLICT (product_id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, embedding = EXCLUDED.embedding`,
        points.map((point) => point.id),
        points.map((point) => point.fingerprint),
        points.map((point) => vectorLiteral(point.vector)),
      );
    },

    // Filters read the products table itself: nothing to update.
    // Filters join the products table: there is no copy of the payload to keep current.
    updatePayload: async () => 0,

    async remove(ids) {
      if (ids.length === 0) return;
      await prisma.$executeRawUnsafe(`DELETE FROM ${EMBEDDINGS_TABLE} WHERE product_id = ANY($1::int[])`, [...ids]);
    },

    async fingerprints(ids) {
      if (ids.length === 0) return new Map();
      const rows = await prisma.$queryRawUnsafe<{ id: number; fingerprint: string }[]>(
        `SELECT product_id AS id, fingerprint FROM ${EMBEDDINGS_TABLE} WHERE product_id = ANY($1::int[])`,
        [...ids],
      );
      return new Map(rows.map((row) => [Number(row.id), row.fingerprint]));
    },

    async search({ vector, scope, limit, minScore }) {
      const params = new SqlParams();
      const target = params.add(vectorLiteral(vector), "vector");
      const where = scopeWhere(scope, params);
      const take = params.add(limit, "int");
      const efSearch = Math.min(1000, Math.max(40, limit));
      const [, , rows] = await prisma.$transaction([
        prisma.$executeRawUnsafe(`SET LOCAL hnsw.ef_search = ${efSearch}`),
        prisma.$executeRawUnsafe(`SET LOCAL hnsw.iterative_scan = relaxed_order`),
        prisma.$queryRawUnsafe<{ id: number; score: number }[]>(
          `SELECT e.product_id AS id, (1 - (e.embedding <=> ${target}))::float8 AS score
             FROM ${EMBEDDINGS_TABLE} e JOIN products p ON p.id = e.product_id
            WHERE ${where}
            ORDER BY e.embedding <=> ${target}
            LIMIT ${take}`,
          ...params.values,
        ),
      ]);
      // relaxed_order may return neighbours slightly out of order: sort them here.
      return rows
        .map((row) => ({ id: Number(row.id), score: Number(row.score) }))
        .filter((hit) => hit.score >= minScore)
        .sort((a, b) => b.score - a.score || a.id - b.id);
    },

    count: () => rows(),

    async ping() {
      return prisma.$queryRawUnsafe(`SELECT 1 FROM ${EMBEDDINGS_TABLE} LIMIT 1`).then(() => true, () => false);
    },

    async clear() {
      await prisma.$executeRawUnsafe(`DELETE FROM ${EMBEDDINGS_TABLE}`);
    },
  };
}
