import type { SqlRunner } from "../../src/data/database";

/**
 * Invariants of the catalog tables checked in SQL, independently of the code that wrote them, so a
 * test does not grade the writer with its own logic. Each returns the offending rows (none = holds).
 */

/** Categories whose path or depth disagrees with their parent_id (path includes the category itself). */
export function inconsistentCategoryPaths(sql: SqlRunner): Promise<{ id: number; path: string; depth: number }[]> {
  return sql.query(
    `SELECT c.id, c.path, c.depth
       FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
      WHERE NOT COALESCE(
              (c.parent_id IS NULL AND c.path = '/' || c.id || '/' AND c.depth = 0)
           OR (c.parent_id IS NOT NULL AND c.path = p.path || c.id || '/' AND c.depth = p.depth + 1), false)
      LIMIT 20`,
  );
}

/**
 * Product attributes that break the definitions applying to the product's category (its own and its
 * ancestors', the deepest winning): undefined names, wrong JSON types, values outside allowed_values,
 * and required attributes that are missing.
 */
export function attributeViolations(sql: SqlRunner): Promise<{ sku: string; problem: string; attribute: string }[]> {
  return sql.query(
    `WITH applicable AS (
       SELECT DISTINCT ON (p.id, d.name) p.id AS product_id, d.name, d.type::text AS type, d.required, d.allowed_values
         FROM products p
         JOIN categories c ON c.id = p.category_id
         JOIN categories a ON c.path LIKE a.path || '%'
         JOIN attribute_definitions d ON d.category_id = a.id
        ORDER BY p.id, d.name, a.depth DESC),
     pairs AS (
       SELECT p.id, p.sku, kv.key, kv.value FROM products p CROSS JOIN LATERAL jsonb_each(p.attributes) AS kv)
     SELECT pairs.sku, 'undefined' AS problem, pairs.key AS attribute
       FROM pairs LEFT JOIN applicable d ON d.product_id = pairs.id AND d.name = pairs.key
      WHERE d.name IS NULL
     UNION ALL
     SELECT pairs.sku, 'bad value', pairs.key
       FROM pairs JOIN applicable d ON d.product_id = pairs.id AND d.name = pairs.key
      WHERE jsonb_typeof(pairs.value) <> lower(d.type)
         OR (cardinality(d.allowed_values) > 0 AND NOT (pairs.value #>> '{}') = ANY (d.allowed_values))
     UNION ALL
     SELECT p.sku, 'missing required', d.name
       FROM applicable d JOIN products p ON p.id = d.product_id
      WHERE d.required AND NOT p.attributes ? d.name
     LIMIT 20`,
  );
}

/** A digest of the catalog's content (ids, slugs, paths, products, definitions), to compare two databases. */
export async function catalogDigest(sql: SqlRunner): Promise<string> {
  const [row] = await sql.query<{ digest: string }>(
    `SELECT md5(
       (SELECT string_agg(concat_ws('|', id, external_id, name, slug, parent_id, path, depth), E'\\n' ORDER BY id) FROM categories) ||
       (SELECT string_agg(concat_ws('|', category_id, name, type, required, allowed_values::text, unit), E'\\n' ORDER BY category_id, name)
          FROM attribute_definitions) ||
       (SELECT string_agg(concat_ws('|', id, sku, name, description, brand, price, stock, popularity, attributes::text, category_id,
                                    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS')), E'\\n' ORDER BY id)
          FROM products)) AS digest`,
  );
  return row.digest;
}
