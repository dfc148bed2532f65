// `npm run generate`: the Prisma client and the GraphQL types (resolvers, the typed client), side
// by side (neither reads the other's output). Prisma prints "Loaded Prisma config ..." and "Prisma
// schema loaded ..." on every run and has no flag against it, so output is shown only on failure.
const { spawn } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ ok: false, output: `${output}${error.message}\n`, command, args }));
    child.on("close", (code) => resolve({ ok: code === 0, output, command, args, code }));
  });
}

Promise.all([
  run(bin("prisma"), ["generate", "--no-hints"]),
  run(bin("graphql-codegen"), ["--config", "codegen.yml", "--silent"]),
]).then((results) => {
  const failed = results.filter((result) => !result.ok);
  for (const { command, args, code, output } of failed) {
    process.stderr.write(`${output}${path.basename(command)} ${args.join(" ")} failed (exit ${code})\n`);
  }
  process.exit(failed.length > 0 ? 1 : 0);
});
