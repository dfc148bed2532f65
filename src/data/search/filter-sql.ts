import type { SearchScope } from "./vector-index";

/** Positional parameters of one raw SQL statement: `add` returns the placeholder ("$3::int"). */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ""}`;
  }
}

/**
 * The WHERE conditions of a search scope over `products p`, AND-ed (or "TRUE"): the category subtree
 * (its path is read in the statement, so a moved category is searched where it is now), price
 * range, brands, stock and attribute conditions, with the meaning `Query.products` gives them.
 * Shared by the text side, the facets and the pgvector side, so both rankings see one filter.
 */
export function scopeWhere(scope: SearchScope, params: SqlParams, alias = "p"): string {
  const { filter } = scope;
  const where: string[] = [];
  if (scope.categoryId !== null) {
    where.push(
      `${alias}.category_id IN (SELECT d.id FROM categories d WHERE d.path LIKE ` +
        `(SELECT s.path FROM categories s WHERE s.id = ${params.add(scope.categoryId, "int")}) || '%')`,
    );
  }
  if (filter.minPrice !== undefined) where.push(`${alias}.price >= ${params.add(filter.minPrice, "numeric")}`);
  if (filter.maxPrice !== undefined) where.push(`${alias}.price <= ${params.add(filter.maxPrice, "numeric")}`);
  if (filter.brands?.length) where.push(`${alias}.brand = ANY(${params.add(filter.brands, "text[]")})`);
  if (filter.inStock !== undefined) where.push(filter.inStock ? `${alias}.stock > 0` : `${alias}.stock = 0`);
  for (const attribute of filter.attributes ?? []) {
    const value = `(${alias}.attributes -> ${params.add(attribute.name, "text")})`;
    if (attribute.values?.length) {
      where.push(`${value} = ANY(${params.add(attribute.values.map((v) => JSON.stringify(v)), "jsonb[]")})`);
    }
    // A bound applies to numbers only; a string or a missing attribute does not satisfy it.
    const number = `CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric END`;
    if (attribute.min !== undefined) where.push(`${number} >= ${params.add(attribute.min, "numeric")}`);
    if (attribute.max !== undefined) where.push(`${number} <= ${params.add(attribute.max, "numeric")}`);
  }
  return where.length ? where.join(" AND ") : "TRUE";
}
