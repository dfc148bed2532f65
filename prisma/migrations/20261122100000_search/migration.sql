-- Search (DESIGN.md, "Search"): full text kept current by PostgreSQL itself, so writes need no call
-- for it; indexes for SKU lookups, autocomplete and popularity; pgvector where the server has it.

-- Weighted full text: name (A, highest), brand (B), description (D, lowest), English stemming.
-- A stored generated column: every INSERT and UPDATE recomputes it in the same statement.
ALTER TABLE "products" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', "name"), 'A') ||
    setweight(to_tsvector('english', "brand"), 'B') ||
    setweight(to_tsvector('english', "description"), 'D')) STORED;
CREATE INDEX "products_search_vector_idx" ON "products" USING GIN ("search_vector");

-- Autocomplete: the unstemmed words of brand and name ('simple' keeps "samsung" whole), so a
-- prefix query ('sa':*) finds every word that starts with what was typed.
ALTER TABLE "products" ADD COLUMN "suggest_vector" tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', "brand" || ' ' || "name")) STORED;
CREATE INDEX "products_suggest_vector_idx" ON "products" USING GIN ("suggest_vector");

-- Autocomplete suggests brands by prefix, case-insensitively.
CREATE INDEX "products_lower_brand_idx" ON "products" (lower("brand") text_pattern_ops);

-- Search matches a SKU-looking query exactly, on the lower-cased (normalized) query.
CREATE INDEX "products_lower_sku_idx" ON "products" (lower("sku"));
-- Autocomplete ranks by popularity; warming reads the most popular products.
CREATE INDEX "products_popularity_id_idx" ON "products" ("popularity" DESC, "id");

-- pgvector when the server offers it (PGlite does; this machine's PostgreSQL does not). The table of
-- embeddings is created by the pgvector adapter (src/data/search/pgvector-index.ts), because its
-- dimension is configured (EMBEDDING_DIMENSIONS).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
        CREATE EXTENSION IF NOT EXISTS vector;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pgvector is available but this role may not create it; vector search needs Qdrant or a superuser to run CREATE EXTENSION vector';
END
$$;
