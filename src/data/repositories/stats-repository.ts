import type { PrismaClient } from "../../generated/prisma/client";

/** A top-level category and the products in its subtree (`CategoryStat`, category resolved by the loader). */
export interface CategoryStatModel { categoryId: number; productCount: number }
/** A brand and its number of products. */
export interface BrandStatModel { brand: string; productCount: number }
/** The scalar part of `CatalogStats`. */
export interface CatalogSummaryModel {
  productCount: number;
  categoryCount: number;
  priceMin: number | null;
  priceAvg: number | null;
  priceMax: number | null;
  stockTotal: number;
}

/** The statistics cached one per `stats:<type>` entry. */
export const STAT_TYPES = ["summary", "byTopLevelCategory", "byBrand"] as const;

export type StatType = (typeof STAT_TYPES)[number];

/** The value of each statistic. */
export interface StatValues {
  summary: CatalogSummaryModel;
  byTopLevelCategory: CategoryStatModel[];
  byBrand: BrandStatModel[];
}

/** Catalog statistics, each one SQL aggregate over the tables (no sampling, no counters kept aside). */
export function createStatsRepository(prisma: PrismaClient) {
  return {
    async compute<T extends StatType>(type: T): Promise<StatValues[T]> {
      return (await computers[type](prisma)) as StatValues[T];
    },
  };
}

export type StatsRepository = ReturnType<typeof createStatsRepository>;

const computers: { [T in StatType]: (prisma: PrismaClient) => Promise<StatValues[T]> } = {
  async summary(prisma) {
    const [row] = await prisma.$queryRawUnsafe<
      { product_count: number; category_count: number; price_min: number | null; price_avg: number | null; price_max: number | null; stock_total: number }[]
    >(
      `SELECT count(*)::int AS product_count,
              (SELECT count(*)::int FROM categories) AS category_count,
              min(price)::float8 AS price_min,
              round(avg(price), 2)::float8 AS price_avg,
              max(price)::float8 AS price_max,
              coalesce(sum(stock), 0)::float8 AS stock_total
         FROM products`,
    );
    return {
      productCount: Number(row.product_count),
      categoryCount: Number(row.category_count),
      priceMin: row.price_min === null ? null : Number(row.price_min),
      priceAvg: row.price_avg === null ? null : Number(row.price_avg),
      priceMax: row.price_max === null ? null : Number(row.price_max),
      stockTotal: Number(row.stock_total),
    };
  },

  // Every top-level category, with 0 when it holds no product; a product counts for the root of its path.
  async byTopLevelCategory(prisma) {
    const rows = await prisma.$queryRawUnsafe<{ id: number; n: number }[]>(
      `SELECT r.id, coalesce(t.n, 0)::int AS n
         FROM categories r
         LEFT JOIN (SELECT split_part(c.path, '/', 2)::int AS id, count(*) AS n
                      FROM products p JOIN categories c ON c.id = p.category_id GROUP BY 1) t ON t.id = r.id
        WHERE r.parent_id IS NULL
        ORDER BY n DESC, r.name, r.id`,
    );
    return rows.map((row) => ({ categoryId: Number(row.id), productCount: Number(row.n) }));
  },

  async byBrand(prisma) {
    const rows = await prisma.$queryRawUnsafe<{ brand: string; n: number }[]>(
      `SELECT brand, count(*)::int AS n FROM products GROUP BY brand ORDER BY n DESC, brand`,
    );
    return rows.map((row) => ({ brand: row.brand, productCount: Number(row.n) }));
  },
};
