// Runs a TypeScript entry point of this project: through ts-node when its source is here (a
// checkout), else its compiled copy under dist/ (the image, which holds no TypeScript source).
//   node scripts/run.cjs scripts/token.ts --role editor
const path = require("node:path");
const fs = require("node:fs");

const [entry, ...args] = process.argv.slice(2);
if (!entry || !entry.endsWith(".ts")) {
  process.stderr.write(`usage: node scripts/run.cjs <entry.ts> [args...], got ${JSON.stringify(entry)}\n`);
  process.exit(2);
}
const root = path.resolve(__dirname, "..");
const source = path.resolve(root, entry);
process.argv = [process.argv[0], source, ...args];
if (fs.existsSync(source)) {
  require("ts-node").register({ transpileOnly: true });
  require(source);
} else {
  require(path.resolve(root, "dist", entry.replace(/\.ts$/, ".js")));
}
