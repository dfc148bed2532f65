import { createRedisCache } from "@envelop/response-cache-redis";
import { useResponseCache } from "@graphql-yoga/plugin-response-cache";
import { createSchema, createYoga } from "graphql-yoga";
import { Redis } from "ioredis";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { PeerSettings, RunningPeer } from "./peer-settings";
import { createPostgresSource } from "./postgres-source";
import { resolvers, typeDefs, type PeerContext } from "./resolvers";

/**
 * GraphQL Yoga 5 with the envelop response cache on Redis (`@envelop/response-cache-redis`), as
 * Yoga's docs set it up: one global session (`session: () => null`), a ttl, and the plugin's defaults,
 * which invalidate on mutation every cached response holding an entity (typename and id) the mutation
 * returned. Served from node's http server at `/`, like the others.
 */
export async function startYogaResponseCache(settings: PeerSettings): Promise<RunningPeer> {
  const source = createPostgresSource(settings.databaseUrl);
  const redis = new Redis(settings.redisUrl, { keyPrefix: settings.cachePrefix });
  const yoga = createYoga({
    schema: createSchema({ typeDefs, resolvers }),
    graphqlEndpoint: "/",
    landingPage: false,
    logging: false,
    context: (): PeerContext => ({ reader: source.reader(), source }),
    // The ioredis major the adapter declares (5) differs from the project's (6); the commands it uses are the same.
    plugins: [useResponseCache({ session: () => null, ttl: settings.ttlSeconds * 1000, cache: createRedisCache({ redis: redis as never }) })],
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(settings.port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      redis.disconnect();
      await source.close();
    },
  };
}
