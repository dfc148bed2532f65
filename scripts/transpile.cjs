// The fast build `npm start` runs when dist/ is stale: esbuild turns each TypeScript file of src/
// and scripts/ into CommonJS under dist/ (the layout tsc writes: dist/src, dist/scripts), with no
// type check, then the run-time assets are copied. `npm run build` uses tsc instead.
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");

function typescriptFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
esbuild.buildSync({
  entryPoints: ["src", "scripts"].flatMap((dir) => typescriptFiles(path.join(root, dir))),
  outbase: root,
  outdir: path.join(root, "dist"),
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
});
require("./copy-build-assets.cjs");
