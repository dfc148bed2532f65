import type { Context } from "../../context";
import { clearLoaders } from "../../loaders";

/**
 * After a write in this request: the request's loaders forget what they memoized, so the rest of
 * the response reads what the write left; with write-through, `prime` reads the written entities
 * back through the cache's guarded fill, so the next request hits.
 */
export async function afterWrite(ctx: Context, prime?: (ctx: Context) => Promise<unknown>): Promise<void> {
  clearLoaders(ctx.loaders);
  if (ctx.settings.writeThrough && prime) await prime(ctx);
}
