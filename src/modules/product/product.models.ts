import type { Product } from "../../generated/prisma/client";
export type ProductModel = Product;
export interface ProductConnectionModel { ids: number[]; cursors: string[]; hasNextPage: boolean; totalCount: number }
