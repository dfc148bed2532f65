import { ROLES, signToken } from "./auth";
import { ConfigError, loadConfig } from "./config";
import { FolderLockedError } from "./data/folder-lock";
import { createLogger } from "./logger";
import { PortTakenError, startGateway, type Gateway } from "./server";

/** How long a shutdown may take (draining requests in flight, replaying the outbox, closing pools) before the process exits anyway, ms. */
const SHUTDOWN_DEADLINE_MS = 15_000;

// `npm start`: read the configuration, start the gateway, print where it listens, stop on a signal.
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let gateway: Gateway | null = null;
  let stopping = false;
  // Installed before the start, which may wait for the database: a signal then ends the wait.
  process.on("SIGINT", (signal) => stop(signal));
  process.on("SIGTERM", (signal) => stop(signal));
  gateway = await startGateway(config, {
    logger,
    onListening: (url) => console.log(`Listening at ${url}; preparing the catalog (/ready says how far it has come)...`),
  });
  const where = config.database.kind === "pglite" ? `embedded PGlite in ${config.database.dataDir}` : "PostgreSQL";
  logger.info({ url: gateway.url, database: config.database.kind, cache: config.cache.store }, "gateway ready");
  console.log(`Catalog Gateway ready at ${gateway.url} (${where}, cache: ${config.cache.store})`);
  if (gateway.search.service.vectorState() === "indexing") {
    console.log("Search: the catalog's vectors are being embedded in the background; until then HYBRID search answers from full text (with a notice), and /ready says how far it has come.");
  }
  if (config.http.introspection) {
    console.log(`Explore the schema: ${gateway.url} (Apollo Sandbox, loads from Apollo's CDN) or ${new URL("/graphiql", gateway.url)} (GraphiQL, works offline).`);
  }
  if (config.auth.developmentSecret) {
    // Outside production with no JWT_SECRET: tokens signed with the development secret, for trying writes.
    console.log("Development tokens (send as `Authorization: Bearer <token>`; never valid in production):");
    for (const role of ROLES) console.log(`  ${role}: ${await signToken(config.auth.jwtSecret!, `dev-${role}`, [role])}`);
  }

  // First signal: stop accepting, finish what is in flight, apply (or keep) pending invalidations,
  // close pools, exit 0. A second signal, or a shutdown past its deadline, exits at once.
  function stop(signal: NodeJS.Signals) {
    if (!gateway) {
      logger.info({ signal }, "stopped during start-up");
      process.exit(0);
    }
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    }
    stopping = true;
    logger.info({ signal }, "stopping: no new connections; finishing requests in flight");
    setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "shutdown did not finish in time: exiting now");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    gateway.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  }
}

main().catch((error) => {
  // Refusals a person can act on are printed as a sentence, not a stack.
  if (error instanceof FolderLockedError || error instanceof PortTakenError) console.error(error.message);
  else console.error("The gateway failed to start:", error);
  process.exit(1);
});
