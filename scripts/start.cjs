// `npm start`: runs the compiled gateway (dist/src/index.js) in this process, so `exec` in the
// npm script leaves node as the process that receives signals. When dist/ is missing or older
// than the sources (a fresh clone, a `git pull`), it is built first, the fast way: generate, then
// esbuild transpiles each file (no type check: `npm run build` and `npm run typecheck` do that),
// beside the explorer's bundle; the storefront is built when its sources changed and copied into
// dist/. The image holds no sources: dist/ is used as it is.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
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

async function buildGateway() {
  const started = performance.now();
  await run(process.execPath, [path.join(root, "scripts", "generate.cjs")]);
  await run(process.execPath, [path.join(root, "scripts", "transpile.cjs")]);
  console.log(`Gateway built into dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function buildExplorer() {
  try {
    require.resolve("esbuild", { paths: [root] });
  } catch {
    console.log("The GraphiQL explorer is not built and esbuild is not installed (npm ci without --omit=dev builds it).");
    return;
  }
  await run(process.execPath, [path.join(root, "explorer", "build.cjs")]);
}

async function buildStorefront(script) {
  await run(process.execPath, [script, "--copy-to", path.join(dist, "storefront", "dist")]);
}

async function main() {
  const hasSources = fs.existsSync(path.join(root, "src", "index.ts"));
  const gateway =
    hasSources && (!fs.existsSync(entry) || stale(STAMP, GATEWAY_SOURCES))
      ? (console.log("Building the gateway first (dist/ is missing or older than the sources)..."), buildGateway())
      : Promise.resolve();
  const explorer = hasSources && stale(EXPLORER_PAGE, EXPLORER_SOURCES) ? buildExplorer() : Promise.resolve();
  // The storefront (storefront/build-if-stale.mjs: vite when its sources changed, else a copy)
  // reads the generated client, so it follows the gateway's build; dist/ serves it from its copy.
  const storefrontScript = path.join(root, "storefront", "build-if-stale.mjs");
  const storefront = gateway.then(() => (hasSources && fs.existsSync(storefrontScript) ? buildStorefront(storefrontScript) : undefined));
  await Promise.all([gateway, explorer, storefront]);
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  require(entry);
}

main().catch((error) => {
  console.error(`npm start: ${error.message}`);
  process.exit(1);
});
