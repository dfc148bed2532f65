// The fast build `npm start` runs when dist/ is stale: esbuild turns each TypeScript file of src/
// and scripts/ into CommonJS under dist/ (the layout tsc writes: dist/src, dist/scripts), with no
// type check, then the run-time assets are copied. `npm run build` uses tsc instead.
// In two parts, so that `npm start` can run what needs no generated code while `npm run generate`
// runs: `transpileSources()` (everything but src/generated, into an emptied dist/), then
// `transpileGenerated()` (src/generated and the assets, last the build's stamp).
//   node scripts/transpile.cjs     # both
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
const generated = path.join(root, "src", "generated");

function typescriptFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

function transpile(entryPoints) {
  esbuild.buildSync({
    entryPoints,
    outbase: root,
    outdir: dist,
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
  });
}

/** Every TypeScript file of src/ and scripts/ but the generated ones, into an emptied dist/. */
function transpileSources() {
  fs.rmSync(dist, { recursive: true, force: true });
  const inGenerated = (file) => file.startsWith(generated + path.sep);
  transpile(["src", "scripts"].flatMap((dir) => typescriptFiles(path.join(root, dir))).filter((file) => !inGenerated(file)));
}

/** src/generated (after `npm run generate`), then the run-time assets and the build's stamp. */
function transpileGenerated() {
  transpile(typescriptFiles(generated));
  require("./copy-build-assets.cjs");
}

module.exports = { transpileSources, transpileGenerated };
if (require.main === module) {
  transpileSources();
  transpileGenerated();
}
