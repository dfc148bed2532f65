// The models are the rows of the statistics repository; codegen.yml maps `CategoryStat` here.
export type { BrandStatModel, CatalogSummaryModel, CategoryStatModel } from "../../data/repositories/stats-repository";
