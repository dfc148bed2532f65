import type { Database } from "../database";
import { createPgvectorIndex, hasPgvector } from "./pgvector-index";
import { createQdrantClient, createQdrantIndex } from "./qdrant-index";
import type { VectorIndex } from "./vector-index";

/** What `createVectorIndex` reads of the configuration (VECTOR_INDEX, QDRANT_*, EMBEDDER_DIMENSIONS: see src/config.ts for defaults). */
export interface VectorIndexConfig {
  vectorIndex: "auto" | "pgvector" | "qdrant" | "none";
  qdrant: { url?: string; apiKey?: string; collection: string; timeoutMs: number };
  embedder: { dimensions: number };
}

/**
 * The configured vector index, or null when there is none. VECTOR_INDEX=auto picks Qdrant when
 * QDRANT_URL is set, else pgvector when the database has the extension (PGlite does; the search
 * migration installs it where the server offers it), else none. Naming one that cannot work
 * (pgvector on a database without it) fails the start with a message that says so.
 */
export async function createVectorIndex(config: VectorIndexConfig, db: Pick<Database, "prisma">): Promise<VectorIndex | null> {
  const dimensions = config.embedder.dimensions;
  const qdrant = async () => {
    const options = { url: config.qdrant.url!, apiKey: config.qdrant.apiKey, collection: config.qdrant.collection, dimensions, timeoutMs: config.qdrant.timeoutMs };
    return createQdrantIndex(options, await createQdrantClient(options));
  };
  switch (config.vectorIndex) {
    case "none":
      return null;
    case "qdrant":
      return qdrant();
    case "pgvector":
      if (!(await hasPgvector(db.prisma))) {
        throw new Error("VECTOR_INDEX=pgvector but the database has no pgvector extension (CREATE EXTENSION vector needs the package and a superuser)");
      }
      return createPgvectorIndex(db.prisma, dimensions);
    case "auto":
      if (config.qdrant.url) return qdrant();
      return (await hasPgvector(db.prisma)) ? createPgvectorIndex(db.prisma, dimensions) : null;
    default: {
      const never: never = config.vectorIndex;
      throw new Error(`Unknown vector index ${String(never)}`);
    }
  }
}
