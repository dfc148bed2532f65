import type { PrismaClient } from "../../generated/prisma/client";
import { normalizeQuery, prefixTsQuery } from "./text-query";

/** One suggestion source row: a brand (its products' popularity summed) or a product name. */
interface SuggestionRow {
  text: string;
  score: number;
  kind: number;
}

/**
 * Completions of a prefix, one SQL statement: brands whose name starts with the prefix (ranked by
 * the summed popularity of their products; `lower(brand) text_pattern_ops` index), and product
 * names with a word starting with each word of the prefix (ranked by popularity; the GIN index on
 * `suggest_vector`, or for a one- or two-letter prefix, which matches much of the catalog, a walk
 * down the popularity index that stops after `limit` rows). Case-insensitive duplicates are dropped.
 */
export async function suggestCompletions(prisma: PrismaClient, prefix: string, limit: number): Promise<string[]> {
  const normalized = normalizeQuery(prefix);
  const words = prefixTsQuery(normalized);
  if (!words) return [];
  const like = `${normalized.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  const rows = await prisma.$queryRawUnsafe<SuggestionRow[]>(
    `WITH brands AS (
       SELECT brand AS text, sum(popularity)::float8 AS score FROM products
        WHERE lower(brand) LIKE $2 GROUP BY brand ORDER BY 2 DESC, 1 LIMIT $3),
     names AS (
       SELECT name AS text, popularity::float8 AS score FROM products
        WHERE suggest_vector @@ to_tsquery('simple', $1) ORDER BY popularity DESC, id LIMIT $3)
     SELECT text, score, 0 AS kind FROM brands UNION ALL SELECT text, score, 1 AS kind FROM names`,
    words,
    like,
    limit,
  );
  const seen = new Set<string>();
  const out: string[] = [];
  const ordered = rows.sort((a, b) => b.score - a.score || a.kind - b.kind || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  for (const row of ordered) {
    const key = row.text.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(row.text);
    if (out.length === limit) break;
  }
  return out;
}
