import type { CacheFamilyStats, MutationResolvers, QueryResolvers } from "../../generated/graphql";

const Query: QueryResolvers = {
  cacheStats: (_parent, _args, ctx) => ctx.services.admin.stats(),
};

// Both need the admin role once the writes issue adds roles to the viewer.
const Mutation: MutationResolvers = {
  warmCache: (_parent, { topProducts }, ctx) => ctx.services.admin.warm(ctx.loaders, topProducts ?? undefined),
  invalidateCache: (_parent, { family, ids }, ctx) => ctx.services.admin.invalidate(family, ids),
};

export type { CacheFamilyStats };
export const adminResolvers = { Query, Mutation };
