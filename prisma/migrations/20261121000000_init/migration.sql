-- The catalog: a category tree with materialized paths, attribute definitions, products.
CREATE TYPE "attribute_type" AS ENUM ('STRING', 'NUMBER', 'BOOLEAN');

CREATE TABLE "categories" (
    "id"          SERIAL PRIMARY KEY,
    "external_id" TEXT UNIQUE,
    "name"        TEXT NOT NULL CHECK (length("name") BETWEEN 1 AND 200),
    "slug"        TEXT NOT NULL UNIQUE CHECK ("slug" ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    "parent_id"   INTEGER REFERENCES "categories"("id") ON DELETE RESTRICT,
    "path"        TEXT NOT NULL,
    "depth"       INTEGER NOT NULL CHECK ("depth" >= 0),
    "created_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
-- Subtree scans are prefix matches on the path; text_pattern_ops makes LIKE 'prefix%' indexable.
CREATE INDEX "categories_path_idx" ON "categories" ("path" text_pattern_ops);
CREATE INDEX "categories_parent_id_name_idx" ON "categories" ("parent_id", "name");

CREATE TABLE "attribute_definitions" (
    "id"             SERIAL PRIMARY KEY,
    "category_id"    INTEGER NOT NULL REFERENCES "categories"("id") ON DELETE CASCADE,
    "name"           TEXT NOT NULL CHECK (length("name") BETWEEN 1 AND 100),
    "type"           "attribute_type" NOT NULL,
    "required"       BOOLEAN NOT NULL DEFAULT false,
    "allowed_values" TEXT[] NOT NULL DEFAULT '{}',
    "unit"           TEXT,
    UNIQUE ("category_id", "name")
);

CREATE TABLE "products" (
    "id"          SERIAL PRIMARY KEY,
    "sku"         TEXT NOT NULL UNIQUE CHECK (length("sku") BETWEEN 1 AND 64),
    "name"        TEXT NOT NULL CHECK (length("name") BETWEEN 1 AND 300),
    "description" TEXT NOT NULL DEFAULT '',
    "brand"       TEXT NOT NULL,
    "price"       NUMERIC(12, 2) NOT NULL CHECK ("price" >= 0),
    "stock"       INTEGER NOT NULL DEFAULT 0 CHECK ("stock" >= 0),
    "popularity"  INTEGER NOT NULL DEFAULT 0,
    "attributes"  JSONB NOT NULL DEFAULT '{}',
    "image_url"   TEXT,
    "category_id" INTEGER NOT NULL REFERENCES "categories"("id") ON DELETE RESTRICT,
    "created_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at"  TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
-- One index per listing order, each led by the category so a page is an index range scan.
CREATE INDEX "products_category_id_id_idx" ON "products" ("category_id", "id");
CREATE INDEX "products_category_id_price_id_idx" ON "products" ("category_id", "price", "id");
CREATE INDEX "products_category_id_popularity_id_idx" ON "products" ("category_id", "popularity" DESC, "id");
CREATE INDEX "products_category_id_name_id_idx" ON "products" ("category_id", "name", "id");
CREATE INDEX "products_category_id_created_at_id_idx" ON "products" ("category_id", "created_at" DESC, "id");
CREATE INDEX "products_brand_idx" ON "products" ("brand");
CREATE INDEX "products_attributes_idx" ON "products" USING GIN ("attributes" jsonb_path_ops);
