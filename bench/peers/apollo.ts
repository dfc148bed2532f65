import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import type { KeyValueCache } from "@apollo/utils.keyvaluecache";
import type { CatalogSource } from "./catalog-source";
import type { RunningPeer } from "./peer-settings";
import { resolvers, typeDefs, type PeerContext } from "./resolvers";

/**
 * A plain Apollo Server 5 over the shared resolvers, with `startStandaloneServer` as its docs start
 * it; the peers differ only in the source they read and the plugins and cache they add.
 */
export async function startApollo(
  source: CatalogSource,
  port: number,
  options: { plugins?: ApolloServerPlugin<PeerContext>[]; cache?: KeyValueCache<string>; onStop?: () => Promise<void> } = {},
): Promise<RunningPeer> {
  const server = new ApolloServer<PeerContext>({ typeDefs, resolvers, plugins: options.plugins, cache: options.cache });
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: "127.0.0.1" },
    context: async () => ({ reader: source.reader(), source }),
  });
  return {
    url,
    async stop() {
      await server.stop();
      await options.onStop?.();
      await source.close();
    },
  };
}
