import { spawnSync } from "node:child_process";
import path from "node:path";

/**
 * `npm start`'s first build runs scripts/prepare-database.ts (PGlite's initdb) beside `npm run
 * generate`, so the configuration and the PGlite folder must load while the Prisma client does not
 * exist yet. This loads both in a child process where any module under src/generated fails to load,
 * as it does on a fresh clone (a value import that reaches the Prisma client fails it; type-only
 * imports are erased and pass).
 */
const root = path.resolve(__dirname, "../..");

const script = `
const Module = require("node:module");
const load = Module._load;
Module._load = function (request, parent, ...rest) {
  const resolved = Module._resolveFilename(request, parent, ...rest);
  if (resolved.includes(${JSON.stringify(path.join(root, "src", "generated"))})) {
    throw new Error("loaded the generated code: " + request + " from " + (parent && parent.filename));
  }
  return load.call(this, request, parent, ...rest);
};
require("./src/config").loadConfig({ NODE_ENV: "test" });
require("./src/data/pglite-folder");
console.log("loaded");
`;

it("the configuration and the PGlite folder load without the generated Prisma client", () => {
  const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: root, encoding: "utf8" });
  expect(child.stderr).not.toMatch(/loaded the generated code/);
  expect(child.stdout.trim()).toBe("loaded");
});
