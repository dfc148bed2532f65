import type { Context } from "../../context";
import type { ProductFilter, ProductOrder } from "../../generated/graphql";
import type { Category } from "../../generated/prisma/client";
import type { ListingCursor } from "../../data/repositories/product-repository";
import { parseFirst } from "../shared/args";
import { cursorEncoder, decodeCursor, parseFilter } from "./product-args";
import type { ProductConnectionModel } from "./product.models";

export interface ListingArgs {
  includeDescendants?: boolean | null;
  filter?: ProductFilter | null;
  orderBy?: ProductOrder | null;
  first?: number | null;
  after?: string | null;
}

/** One page of a listing (a category's, or the whole catalog's) through the page loader. */
export async function listProducts(ctx: Context, category: Category | null, args: ListingArgs): Promise<ProductConnectionModel> {
  const orderBy = args.orderBy ?? "POPULARITY_DESC";
  const first = parseFirst(args.first, ctx.settings.pagination);
  const filter = parseFilter(args.filter);
  const includeDescendants = args.includeDescendants ?? true;
  const listing = { categoryId: category?.id ?? null, includeDescendants, filter, orderBy };
  const after = decodeCursor(args.after, listing);
  const page = await ctx.loaders.productPage.load({
    category: category && { id: category.id, path: category.path },
    includeDescendants,
    filter,
    orderBy,
    first,
    after,
  });
  let encode: ((cursor: ListingCursor) => string) | undefined;
  return {
    ids: page.ids,
    // Encoded on demand (a page's rows each carry one, few queries select them), the listing's tag once.
    cursorAt: (index) => (encode ??= cursorEncoder(listing))(page.cursors[index]),
    hasNextPage: page.hasNextPage,
    totalCount: page.totalCount,
  };
}
