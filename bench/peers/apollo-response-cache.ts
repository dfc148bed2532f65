import { ApolloServerPluginCacheControl } from "@apollo/server/plugin/cacheControl";
import responseCachePlugin from "@apollo/server-plugin-response-cache";
import { KeyvAdapter } from "@apollo/utils.keyvadapter";
import KeyvRedis from "@keyv/redis";
import { Keyv } from "keyv";
import { startApollo } from "./apollo";
import type { PeerSettings, RunningPeer } from "./peer-settings";
import { createPostgresSource } from "./postgres-source";

/**
 * Apollo Server 5 with `@apollo/server-plugin-response-cache` on Redis, set up as Apollo's docs
 * describe: Keyv with `@keyv/redis` behind `KeyvAdapter` as the server's cache, and a cache-control
 * max age so responses are cacheable (a `defaultMaxAge` here, since the schema is the gateway's and
 * carries no `@cacheControl` hints). The plugin has no invalidation: a write leaves cached responses
 * as they were until their max age runs out.
 */
export function startApolloResponseCache(settings: PeerSettings): Promise<RunningPeer> {
  const keyv = new Keyv<string>(new KeyvRedis(settings.redisUrl), { namespace: settings.cachePrefix });
  return startApollo(createPostgresSource(settings.databaseUrl), settings.port, {
    cache: new KeyvAdapter(keyv),
    plugins: [ApolloServerPluginCacheControl({ defaultMaxAge: settings.ttlSeconds }), responseCachePlugin()],
    onStop: () => keyv.disconnect(),
  });
}
