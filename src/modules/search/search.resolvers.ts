import { hashArgs } from "../../cache/keys";
import { NotFoundError, ServiceUnavailableError } from "../../errors";
import { priceRangeBounds, type FacetResult } from "../../data/search/facets";
import { VectorIndexUnavailableError } from "../../data/search/vector-index";
import type { FacetValue, FacetValueResolvers, QueryResolvers, ResolversTypes, SearchCategoryIntentResolvers } from "../../generated/graphql";
import type { SearchCategoryIntent } from "../../loaders/search-deps";
import type { SearchQuery } from "../../loaders/search";
import { parseFilter } from "../product/product-args";
import { parseFirst, parseId } from "../shared/args";
import { decodeSearchCursor, encodeSearchCursor, pageOf, parseFacets, parseSearchQuery, parseSuggestionLimit } from "./search-args";
import { addIntent, addNotices } from "./search-notices";

// A category facet value carries its id, so FacetValue.category can load it only when asked.
type FacetValueModel = Omit<FacetValue, "category"> & { categoryId?: number };

const Query: QueryResolvers = {
  search: async (_parent, args, ctx, info) => {
    // Kept whole like any answer read from the cache: it depends on its search:<hash> entry (stamped
    // with gen:search) and the rows it shows; the vector side's state is part of the response key.
    const limits = ctx.services.search.limits;
    const query = parseSearchQuery(args.query, limits);
    const facets = parseFacets(args.facets);
    const first = parseFirst(args.first, { defaultPageSize: limits.defaultPageSize, maxPageSize: limits.maxPageSize });
    const filter = parseFilter(args.filter);
    const categoryId = args.categoryId == null ? null : parseId(args.categoryId, "categoryId");
    if (categoryId !== null && !(await ctx.loaders.category.load(categoryId))) {
      throw new NotFoundError("Category", "categoryId", String(args.categoryId));
    }
    const request: SearchQuery = { query, mode: args.mode ?? "HYBRID", scope: { categoryId, filter } };
    const searchHash = hashArgs(request);
    const after = decodeSearchCursor(args.after, searchHash);
    let entry;
    try {
      entry = await ctx.loaders.search.load(request);
    } catch (error) {
      if (error instanceof VectorIndexUnavailableError) throw new ServiceUnavailableError(`VECTOR search is unavailable: ${error.message}`);
      throw error;
    }
    const page = pageOf(entry, after, first);
    const products = await ctx.loaders.product.loadMany(page.hits.map(([id]) => id));
    addNotices(ctx, pathOf(info.path), entry.notices);
    // Entries cached before category intents existed have none.
    const categoryIntent = entry.categoryIntent ?? null;
    addIntent(ctx, pathOf(info.path), categoryIntent);
    return {
      // A product deleted after the search was cached is left out rather than failing the page.
      hits: page.hits.flatMap(([, score], i) => {
        const product = products[i];
        return product && !(product instanceof Error) ? [{ product, score }] : [];
      }),
      totalCount: entry.totalCount,
      // Entries cached before the candidate limit existed counted every match.
      totalIsLowerBound: entry.totalIsLowerBound ?? false,
      facets: entry.facets.filter((facet) => facets.has(facet.field)).map(facetOut),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.hits.length ? encodeSearchCursor(searchHash, page.hits[page.hits.length - 1]) : null },
      mode: entry.mode,
      notices: entry.notices,
      // Its category is loaded only when selected (SearchCategoryIntent.category below).
      categoryIntent: categoryIntent && (categoryIntent as unknown as ResolversTypes["SearchCategoryIntent"]),
    };
  },

  autocomplete: (_parent, args, ctx) => {
    const limit = parseSuggestionLimit(args.limit, ctx.services.search.limits);
    const prefix = parseSearchQuery(args.prefix, ctx.services.search.limits, "prefix");
    return ctx.loaders.autocomplete.load({ prefix, limit });
  },
};

function facetOut(facet: FacetResult): ResolversTypes["Facet"] {
  const values = facet.values.map(({ intent, ...counted }): FacetValueModel => {
    const value = { ...counted, intent: intent === true };
    switch (facet.field) {
      case "category":
      case "leafCategory":
        return { ...value, categoryId: Number(value.value) };
      case "price": {
        const bounds = priceRangeBounds(value.value);
        return { ...value, min: bounds?.min ?? null, max: bounds?.max ?? null };
      }
      case "brand":
        return value;
      default: {
        const never: never = facet.field;
        throw new Error(`Unknown facet ${String(never)}`);
      }
    }
  });
  return { field: facet.field, values };
}

function pathOf(path: { key: string | number; prev: unknown }): (string | number)[] {
  const out: (string | number)[] = [];
  for (let at: { key: string | number; prev: unknown } | undefined = path; at; at = at.prev as typeof at) out.unshift(at.key);
  return out;
}

const FacetValueType: FacetValueResolvers = {
  category: (value, _args, ctx) => {
    const { categoryId } = value as FacetValueModel;
    return categoryId === undefined ? null : ctx.loaders.category.load(categoryId);
  },
};

const SearchCategoryIntentType: SearchCategoryIntentResolvers = {
  category: async (intent, _args, ctx) => {
    const { categoryId } = intent as unknown as SearchCategoryIntent;
    const category = await ctx.loaders.category.load(categoryId);
    // Deleted after the search was cached: the category-write footprint retires searches, so this is a race.
    if (!category) throw new NotFoundError("Category", "categoryIntent.category", String(categoryId));
    return category;
  },
};

export const searchResolvers = { Query, FacetValue: FacetValueType, SearchCategoryIntent: SearchCategoryIntentType };
