-- Search relevance (issue #14): the category path in the full-text document, a vocabulary for
-- typo-tolerant matching (pg_trgm), both kept current by PostgreSQL itself so that no write, import
-- or seed needs to know about them.

-- pg_trgm ships with PostgreSQL (contrib) and PGlite (loaded by src/data/database.ts); it is a
-- trusted extension, so the database owner may create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The names of a category and its ancestors, root first, from its materialized path ("/1/7/42/").
CREATE FUNCTION category_path_text(category_path text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(c.name, ' / ' ORDER BY c.depth), '')
      FROM categories c
     WHERE c.id = ANY (string_to_array(trim(BOTH '/' FROM category_path), '/')::int[])
$$;

-- products.category_text: a MAINTAINED column, written by triggers (a generated column may not read
-- another table). On products, a BEFORE trigger fills it whenever a row is inserted or its
-- category_id is set (writes, the importer, the seed); on categories, a statement trigger rewrites
-- it for every product below a category whose name or path changed (a rename, a move, the
-- children of a deleted category moved elsewhere). The service still tells the search indexer
-- which products moved, for their vectors (see category.service.ts).
ALTER TABLE "products" ADD COLUMN "category_text" text NOT NULL DEFAULT '';

CREATE FUNCTION products_category_text() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.category_text := coalesce(category_path_text((SELECT path FROM categories WHERE id = NEW.category_id)), '');
    RETURN NEW;
END
$$;
CREATE TRIGGER "products_category_text" BEFORE INSERT OR UPDATE OF "category_id" ON "products"
    FOR EACH ROW EXECUTE FUNCTION products_category_text();

CREATE FUNCTION categories_renamed_or_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET category_text = category_path_text(c.path)
      FROM categories c
     WHERE p.category_id = c.id
       AND EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE (o.name IS DISTINCT FROM n.name OR o.path IS DISTINCT FROM n.path)
                      AND c.path LIKE n.path || '%');
    RETURN NULL;
END
$$;
CREATE TRIGGER "categories_search_text" AFTER UPDATE ON "categories"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION categories_renamed_or_moved();

UPDATE "products" p SET "category_text" = category_path_text(c.path) FROM "categories" c WHERE c.id = p.category_id;

-- Letters joined by "&" are one word ("AT&T" -> att; the parser would keep only 't', "at" being a
-- stop word); queries are read the same way (see planTextQuery).
CREATE FUNCTION search_text(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT regexp_replace($1, '(\w)&(\w)', '\1\2', 'g') $$;

-- The document again, now with the category path between brand and description:
-- name (A), brand (B), category path (C), description (D). Still a stored generated column, now
-- over the maintained category_text of the same row.
ALTER TABLE "products" DROP COLUMN "search_vector";
ALTER TABLE "products" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', search_text("name")), 'A') ||
    setweight(to_tsvector('english', search_text("brand")), 'B') ||
    setweight(to_tsvector('english', search_text("category_text")), 'C') ||
    setweight(to_tsvector('english', search_text("description")), 'D')) STORED;
CREATE INDEX "products_search_vector_idx" ON "products" USING GIN ("search_vector");

-- The vocabulary of typo-tolerant matching: the unstemmed words of names, brands and category
-- paths (not descriptions), with a trigram index for `word % 'samsng'`. Grown by statement
-- triggers on products (one INSERT per statement, however many rows); a word whose last product
-- went away stays, which costs nothing but a correction that then matches nothing.
CREATE TABLE "search_words" ("word" text PRIMARY KEY);
CREATE INDEX "search_words_trgm_idx" ON "search_words" USING GIN ("word" gin_trgm_ops);

CREATE FUNCTION search_words_of(name text, brand text, category_text text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $$
    SELECT w FROM unnest(tsvector_to_array(to_tsvector('simple', search_text(name || ' ' || brand || ' ' || category_text)))) AS w
     WHERE w ~ '[a-z]' AND length(w) BETWEEN 3 AND 32
$$;

CREATE FUNCTION products_search_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_words (word)
    SELECT DISTINCT w FROM new_rows r, search_words_of(r.name, r.brand, r.category_text) AS w
     WHERE NOT EXISTS (SELECT 1 FROM search_words s WHERE s.word = w)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER "products_search_words_insert" AFTER INSERT ON "products"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION products_search_words();
CREATE TRIGGER "products_search_words_update" AFTER UPDATE ON "products"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION products_search_words();

INSERT INTO "search_words" ("word")
SELECT DISTINCT w FROM "products" p, search_words_of(p.name, p.brand, p.category_text) AS w
ON CONFLICT DO NOTHING;
