import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Registry } from "prom-client";
import type { CacheKeys } from "./cache/keys";
import type { CacheRuntime } from "./cache/read-through";
import type { Config } from "./config";
import { createContextFactory, type Context } from "./context";
import type { Database } from "./data/database";
import { createFormatError } from "./errors";
import { createHttpHandler } from "./http-handler";
import { createRoutes } from "./http-routes";
import type { Logger } from "./logger";
import { resolvers } from "./modules";
import { cacheTracePlugin } from "./plugins/cache-trace";
import { searchNoticesPlugin } from "./plugins/search-notices";
import { createRuntime, type Runtime, type RuntimeOptions } from "./runtime";
import type { SearchRuntime } from "./runtime/search";

/** The schema file at the repository root: the contract clients and codegen read. */
export const schemaPath = path.resolve(__dirname, "../schema.graphql");

/** A running gateway: its URL, its parts (for tests and the bench), and how to stop it. */
export interface Gateway {
  url: string;
  config: Config;
  db: Database;
  cache: CacheRuntime;
  keys: CacheKeys;
  registry: Registry;
  logger: Logger;
  /** Search (see `createSearchRuntime`): `search.indexer` keeps the vector index in step with writes. */
  search: SearchRuntime;
  stop(): Promise<void>;
}

/** See `RuntimeOptions`: a database or store passed in belongs to the caller and is not closed. */
export type GatewayOptions = RuntimeOptions;

/** Builds the runtime (src/runtime.ts), then serves it over HTTP with Apollo Server. */
export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const runtime = await createRuntime(config, options);
  const { logger } = runtime;
  // Longer than the idle timeout of clients and load balancers (often 60 s), so a server never
  // closes a kept-alive connection just as a client reuses it (the client would see ECONNRESET).
  const httpServer = http.createServer({ keepAliveTimeout: 65_000 });
  const apollo = createApollo(runtime, httpServer);
  await apollo.start();
  const createContext = createContextFactory(runtime);
  httpServer.on(
    "request",
    createHttpHandler(apollo, {
      corsOrigins: config.http.corsOrigins,
      routes: createRoutes(runtime),
      context: (req) => createContext(req.headers.authorization),
      responseCache: runtime.responses,
    }),
  );

  await new Promise<void>((resolve) => httpServer.listen(config.http.port, config.http.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${config.http.host.includes(":") ? `[${config.http.host}]` : config.http.host}:${port}/`;
  return {
    url,
    config,
    db: runtime.db,
    cache: runtime.cache,
    keys: runtime.keys,
    registry: runtime.registry,
    logger,
    search: runtime.search,
    async stop() {
      await apollo.stop();
      logger.debug("http server drained");
      await runtime.close();
      logger.debug("gateway stopped");
    },
  };
}

function createApollo(runtime: Runtime, httpServer: http.Server): ApolloServer<Context> {
  const { config, logger } = runtime;
  return new ApolloServer<Context>({
    typeDefs: readFileSync(schemaPath, "utf8"),
    resolvers,
    introspection: config.http.introspection,
    // src/index.ts stops the whole gateway on SIGINT/SIGTERM; Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    formatError: createFormatError((error) => logger.error({ err: error }, "unexpected error in a request")),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's per-field cache hints feed HTTP cache headers we do not send; they cost ~25% of a large response.
      ApolloServerPluginCacheControlDisabled(),
      cacheTracePlugin(),
      ...(runtime.responses ? [runtime.responses.plugin] : []),
      searchNoticesPlugin(),
      config.http.introspection
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
    ],
  });
}
