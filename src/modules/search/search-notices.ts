import type { Context } from "../../context";
import type { SearchCategoryIntent, SearchNotice } from "../../loaders/search-deps";

/** A notice as it appears in `extensions.notices`: where in the response it applies. */
export interface PlacedNotice extends SearchNotice {
  path: (string | number)[];
}

// Per request, keyed by the request's context object, so nothing outlives the request.
const notices = new WeakMap<Context, PlacedNotice[]>();

/** Records notices of the field at `path`, for the search-notices plugin. */
export function addNotices(ctx: Context, path: (string | number)[], list: readonly SearchNotice[]): void {
  if (list.length === 0) return;
  const placed = notices.get(ctx) ?? [];
  placed.push(...list.map((notice) => ({ ...notice, path })));
  notices.set(ctx, placed);
}

/** The notices recorded for a request. */
export function noticesOf(ctx: Context): PlacedNotice[] {
  return notices.get(ctx) ?? [];
}

/** A category intent as it appears in `extensions.categoryIntents`: where in the response it applies. */
export interface PlacedIntent extends SearchCategoryIntent {
  path: (string | number)[];
}

const intents = new WeakMap<Context, PlacedIntent[]>();

/** Records the category intent of the field at `path` (none: nothing recorded), for the search-notices plugin. */
export function addIntent(ctx: Context, path: (string | number)[], intent: SearchCategoryIntent | null): void {
  if (!intent) return;
  intents.set(ctx, [...(intents.get(ctx) ?? []), { ...intent, path }]);
}

/** The category intents recorded for a request. */
export function intentsOf(ctx: Context): PlacedIntent[] {
  return intents.get(ctx) ?? [];
}
