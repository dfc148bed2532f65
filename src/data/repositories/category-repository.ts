import type { AttributeDefinition, Category, PrismaClient } from "../../generated/prisma/client";

/** A node of the category tree, as cached (whole tree in one entry) under `cat:tree`. */
export type TreeNode = Pick<Category, "id" | "parentId" | "name" | "slug" | "depth">;

/**
 * Category reads, each one SQL statement whatever the number of keys, so that loaders batch a
 * request's lookups into one query per level of nesting.
 */
export function createCategoryRepository(prisma: PrismaClient) {
  return {
    byIds(ids: readonly number[]): Promise<Category[]> {
      return prisma.category.findMany({ where: { id: { in: [...ids] } } });
    },

    bySlugs(slugs: readonly string[]): Promise<Pick<Category, "id" | "slug">[]> {
      return prisma.category.findMany({ where: { slug: { in: [...slugs] } }, select: { id: true, slug: true } });
    },

    /** Child ids of each parent (null = the roots), ordered by name then id. */
    childIds(parentIds: readonly (number | null)[]): Promise<Pick<Category, "id" | "parentId">[]> {
      const ids = parentIds.filter((id): id is number => id !== null);
      const roots = parentIds.includes(null);
      return prisma.category.findMany({
        where: { OR: [{ parentId: { in: ids } }, ...(roots ? [{ parentId: null }] : [])] },
        select: { id: true, parentId: true },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      });
    },

    /** Every category as a tree node, siblings (and all nodes) ordered by name then id. */
    tree(): Promise<TreeNode[]> {
      return prisma.category.findMany({
        select: { id: true, parentId: true, name: true, slug: true, depth: true },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      });
    },

    /** Attribute definitions of the given categories (callers pass every id on the paths they need). */
    attributeDefinitions(categoryIds: readonly number[]): Promise<AttributeDefinition[]> {
      return prisma.attributeDefinition.findMany({
        where: { categoryId: { in: [...categoryIds] } },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      });
    },

    /**
     * Product counts per category: direct, or over each category's subtree (a prefix match on the
     * materialized path, served by the text_pattern_ops index).
     */
    async productCounts(ids: readonly number[], includeDescendants: boolean): Promise<Map<number, number>> {
      const rows = includeDescendants
        ? await prisma.$queryRaw<{ id: number; count: bigint }[]>`
            SELECT c.id, count(p.id) AS count
            FROM categories c
            JOIN categories d ON d.path LIKE c.path || '%'
            JOIN products p ON p.category_id = d.id
            WHERE c.id = ANY(${[...ids]}::int[])
            GROUP BY c.id`
        : await prisma.$queryRaw<{ id: number; count: bigint }[]>`
            SELECT category_id AS id, count(*) AS count
            FROM products
            WHERE category_id = ANY(${[...ids]}::int[])
            GROUP BY category_id`;
      return new Map(rows.map((row) => [row.id, Number(row.count)]));
    },
  };
}

export type CategoryRepository = ReturnType<typeof createCategoryRepository>;
