// `npm start`: runs the compiled gateway (dist/src/index.js) in this process, so `exec` in the
// npm script leaves node as the process that receives signals. When dist/ is missing or older
// than the sources (a fresh clone, a `git pull`), it is built first, the fast way: esbuild
// transpiles each file (no type check: `npm run build` and `npm run typecheck` do that) while
// `npm run generate` runs and, beside them, the embedded database's folder is created if missing
// (PGlite's initdb, the costliest step of a first start: scripts/prepare-database.ts). What the
// first answer does not need, the explorer's bundle and the storefront, is built in the background
// at the lowest CPU priority while the gateway starts and serves (their pages say so until then).
// The image holds no sources: dist/ is used as it is.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
const entry = path.join(dist, "src", "index.js");
/** Written last by a build (scripts/copy-build-assets.cjs): its time is the build's. */
const STAMP = path.join(dist, ".build-stamp");
const EXPLORER_PAGE = path.join(root, "explorer", "dist", "index.html");

/** What the compiled gateway is made from (src/generated is derived from the rest). */
const GATEWAY_SOURCES = ["src", "scripts", "config", "schema.graphql", "prisma", "codegen.yml", "examples/operations", "tsconfig.json", "package-lock.json"];
const EXPLORER_SOURCES = ["explorer/src", "explorer/build.cjs", "package-lock.json"];

function newestMtimeMs(relative) {
  const full = path.join(root, relative);
  let stat;
  try {
    stat = fs.statSync(full);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  if (relative === path.join("src", "generated")) return 0;
  let newest = 0;
  for (const name of fs.readdirSync(full)) newest = Math.max(newest, newestMtimeMs(path.join(relative, name)));
  return newest;
}

const builtAt = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : -1);
const stale = (output, sources) => builtAt(output) < Math.max(...sources.map(newestMtimeMs));

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args.join(" ")} exited with ${code}`))));
  });
}

const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1);

async function buildGateway() {
  const started = performance.now();
  const { transpileSources, transpileGenerated } = require("./transpile.cjs");
  transpileSources();
  // Needs only what was just transpiled (the configuration and PGlite), not the generated code.
  const database = run(process.execPath, [path.join(dist, "scripts", "prepare-database.js")]).catch(() => undefined);
  await run(process.execPath, [path.join(root, "scripts", "generate.cjs")]);
  transpileGenerated();
  console.log(`Gateway built into dist/ in ${seconds(started)} s`);
  await database;
}

/** Builds run while the gateway starts, niced: on a busy machine they take what it leaves. */
const background = [];

function runInBackground(script, args = []) {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: "inherit" });
  try {
    os.setPriority(child.pid, 19);
  } catch {
    // Not permitted here: it runs at the normal priority.
  }
  child.on("error", (error) => console.log(`${path.relative(root, script)} did not run: ${error.message}`));
  background.push(child);
}

// They are of no use without the gateway: stopped with it.
process.on("exit", () => {
  for (const child of background) if (child.exitCode === null) child.kill();
});

function buildExplorerInBackground() {
  try {
    require.resolve("esbuild", { paths: [root] });
  } catch {
    console.log("The GraphiQL explorer is not built and esbuild is not installed (npm ci without --omit=dev builds it).");
    return;
  }
  console.log("Building the GraphiQL explorer in the background (/graphiql answers once it is there)...");
  runInBackground(path.join(root, "explorer", "build.cjs"));
}

async function main() {
  const hasSources = fs.existsSync(path.join(root, "src", "index.ts"));
  if (hasSources && (!fs.existsSync(entry) || stale(STAMP, GATEWAY_SOURCES))) {
    console.log("Building the gateway first (dist/ is missing or older than the sources)...");
    await buildGateway();
  }
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  if (hasSources && stale(EXPLORER_PAGE, EXPLORER_SOURCES)) buildExplorerInBackground();
  // storefront/build-if-stale.mjs: vite when its sources changed, else a copy into dist/, which
  // serves it; it reads the generated client, so it follows the gateway's build.
  const storefrontScript = path.join(root, "storefront", "build-if-stale.mjs");
  if (hasSources && fs.existsSync(storefrontScript)) runInBackground(storefrontScript, ["--copy-to", path.join(dist, "storefront", "dist")]);
  require(entry);
}

main().catch((error) => {
  console.error(`npm start: ${error.message}`);
  process.exit(1);
});
