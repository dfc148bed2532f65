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
