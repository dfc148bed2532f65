import { ROLES, signToken } from "./auth";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { startGateway } from "./server";

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
  const gateway = await startGateway(config, { logger });
  const where = config.database.kind === "pglite" ? `embedded PGlite in ${config.database.dataDir}` : "PostgreSQL";
  logger.info({ url: gateway.url, database: config.database.kind, cache: config.cache.store }, "gateway ready");
  console.log(`Catalog Gateway ready at ${gateway.url} (${where}, cache: ${config.cache.store})`);
  if (config.http.introspection) console.log(`Open ${gateway.url} in a browser for Apollo Sandbox.`);
  if (config.auth.developmentSecret) {
    // Outside production with no JWT_SECRET: tokens signed with the development secret, for trying writes.
    console.log("Development tokens (send as `Authorization: Bearer <token>`; never valid in production):");
    for (const role of ROLES) console.log(`  ${role}: ${await signToken(config.auth.jwtSecret!, `dev-${role}`, [role])}`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    await gateway.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error) => {
  console.error("The gateway failed to start:", error);
  process.exit(1);
});
