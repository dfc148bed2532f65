import { requireRole } from "../../auth";
import type { CacheFamilyStats, MutationResolvers, QueryResolvers } from "../../generated/graphql";

const Query: QueryResolvers = {
  // Live counters: `@private` in schema.graphql keeps any response that selects them out of the response cache.
  cacheStats: (_parent, _args, ctx) => ctx.services.admin.stats(),
};

const Mutation: MutationResolvers = {
  warmCache: (_parent, { topProducts }, ctx) => {
    requireRole(ctx.authentication, "admin");
    return ctx.services.admin.warm(ctx.loaders, topProducts ?? undefined);
  },
  invalidateCache: (_parent, { family, ids }, ctx) => {
    requireRole(ctx.authentication, "admin");
    return ctx.services.admin.invalidate(family, ids);
  },
};

export type { CacheFamilyStats };
export const adminResolvers = { Query, Mutation };
