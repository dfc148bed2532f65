import type { Product } from "../../generated/prisma/client";
export type ProductModel = Product;
/** One page of a listing: a row's cursor is encoded only when a client selects it (`cursorAt`, by position in `ids`). */
export interface ProductConnectionModel { ids: number[]; cursorAt(index: number): string; hasNextPage: boolean; totalCount: number }
