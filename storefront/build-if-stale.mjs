// Builds the storefront (vite build) when storefront/dist is missing or older than its sources; run
// by `npm start` before the gateway starts, and by `npm run build` with `--copy-to dist/storefront/dist`
// (the compiled gateway, dist/src/http-static.js, looks one level deeper, as for schema.graphql). Up to date, it only compares file times (well under a second).
// The generated client is left out of the comparison (`npm run generate` rewrites it on every start):
// the operations and schema.graphql it comes from stand for it.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const builtIndex = path.join(here, "dist", "index.html");
const sources = [path.join(here, "src"), path.join(here, "index.html"), path.join(here, "vite.config.mts"), path.join(here, "..", "schema.graphql")];

function newestMtimeMs(entry) {
  if (!existsSync(entry)) return 0;
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (name === "generated") continue;
    newest = Math.max(newest, newestMtimeMs(path.join(entry, name)));
  }
  return newest;
}

const copyFlag = process.argv.indexOf("--copy-to");
const copyTo = copyFlag === -1 ? null : path.resolve(process.argv[copyFlag + 1]);

/** Copies the build to `--copy-to`, when given and there is a build. */
function copyBuild() {
  if (!copyTo || !existsSync(builtIndex)) return;
  rmSync(copyTo, { recursive: true, force: true });
  cpSync(path.join(here, "dist"), copyTo, { recursive: true });
}

const builtAt = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
const changedAt = Math.max(...sources.map(newestMtimeMs));
if (builtAt >= changedAt) {
  copyBuild();
  process.exit(0);
}

const vite = path.join(here, "..", "node_modules", "vite", "bin", "vite.js");
if (!existsSync(vite)) {
  console.log("Storefront: not built and vite is not installed (production dependencies only); /storefront/ will say so.");
  process.exit(0);
}
console.log(builtAt ? "Storefront: sources changed, rebuilding storefront/dist ..." : "Storefront: building storefront/dist ...");
const result = spawnSync(process.execPath, [vite, "build", "--config", path.join(here, "vite.config.mts"), "--logLevel", "warn"], {
  stdio: "inherit",
  // Under jest NODE_ENV is "test", which would make Vite bundle React's development build.
  env: { ...process.env, NODE_ENV: "production" },
});
if (result.status === 0) copyBuild();
process.exit(result.status ?? 1);
