// Builds the offline explorer (GraphiQL, React, Monaco and its workers) into explorer/dist with
// esbuild: fixed file names (the gateway serves each by exact path under /graphiql/), CSS fonts
// inlined, no request to any other host at run time. Run by `npm run build` and, when the folder
// is missing or older than this build, by `npm start`.
//   node explorer/build.cjs
const path = require("node:path");
const fs = require("node:fs");
const esbuild = require("esbuild");

const here = __dirname;
const out = path.join(here, "dist");
const resolve = (specifier) => require.resolve(specifier, { paths: [here] });

/** The files the build writes, served by src/http-routes.ts under /graphiql/. */
const FILES = ["index.html", "graphiql.js", "graphiql.css", "editor.worker.js", "json.worker.js", "graphql.worker.js"];

async function main() {
  const started = performance.now();
  fs.rmSync(out, { recursive: true, force: true });
  const common = { bundle: true, minify: true, format: "esm", target: "es2022", logLevel: "warning", legalComments: "none" };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { graphiql: path.join(here, "src", "main.js") },
      outdir: out,
      loader: { ".ttf": "dataurl", ".woff": "dataurl", ".woff2": "dataurl", ".svg": "dataurl" },
      define: { "process.env.NODE_ENV": '"production"' },
    }),
    esbuild.build({
      ...common,
      entryPoints: {
        "editor.worker": resolve("monaco-editor/esm/vs/editor/editor.worker.js"),
        "json.worker": resolve("monaco-editor/esm/vs/language/json/json.worker.js"),
        "graphql.worker": resolve("monaco-graphql/esm/graphql.worker.js"),
      },
      outdir: out,
    }),
  ]);
  fs.copyFileSync(path.join(here, "src", "index.html"), path.join(out, "index.html"));
  const missing = FILES.filter((file) => !fs.existsSync(path.join(out, file)));
  if (missing.length > 0) throw new Error(`The explorer build did not write ${missing.join(", ")} in ${out}`);
  console.log(`Explorer built in ${((performance.now() - started) / 1000).toFixed(1)} s: ${out}`);
}

module.exports = { FILES };
if (require.main === module) {
  main().catch((error) => {
    console.error("The explorer build failed:", error);
    process.exit(1);
  });
}
