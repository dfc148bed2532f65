// Copies what the compiled gateway reads at run time beside dist/: src/server.ts reads
// ../schema.graphql and src/data/migrator.ts ../../prisma/migrations relative to their own folder,
// and compiled files sit one level deeper (dist/src/...), so the files go to dist/ as well.
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
fs.cpSync(path.join(root, "schema.graphql"), path.join(dist, "schema.graphql"));
fs.cpSync(path.join(root, "prisma", "migrations"), path.join(dist, "prisma", "migrations"), { recursive: true });
// The search synonyms (src/data/search/synonyms.ts reads ../../../config/synonyms.txt).
fs.cpSync(path.join(root, "config"), path.join(dist, "config"), { recursive: true });
// The trusted documents' manifests codegen writes (src/config.ts reads them beside the compiled code).
for (const manifest of ["src/generated/client/persisted-documents.json", "storefront/src/generated/persisted-documents.json"]) {
  if (fs.existsSync(path.join(root, manifest))) fs.cpSync(path.join(root, manifest), path.join(dist, manifest));
}
// Last: the stamp `npm start` compares with the sources' times (scripts/start.cjs).
fs.writeFileSync(path.join(dist, ".build-stamp"), `${new Date().toISOString()}\n`);
