// Run by `npm start` (scripts/start.cjs) beside `npm run generate` when it builds: creates the
// embedded database's folder if the configuration uses one and it does not exist yet (see
// `initializePgliteFolder`). Needs neither the Prisma client nor the GraphQL types. A bad setting
// is left for the gateway to report; a failure here only means the gateway creates the folder itself.
import { loadConfig } from "../src/config";
import { initializePgliteFolder } from "../src/data/pglite-folder";

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch {
    return;
  }
  if (config.database.kind !== "pglite") return;
  const started = performance.now();
  if (await initializePgliteFolder(config.database.dataDir)) {
    console.log(`Embedded database created in ${config.database.dataDir} in ${((performance.now() - started) / 1000).toFixed(1)} s (beside the build)`);
  }
}

main().catch((error) => {
  console.log(`The embedded database was not created beside the build (the gateway creates it): ${error instanceof Error ? error.message : error}`);
});
