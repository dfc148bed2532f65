// Prisma's CLI downloads a native schema engine before any command, and this project's machines
// cannot reach Prisma's server. `generate` never runs that engine, so point the variable at a
// binary that exists and fails; migrations are plain SQL applied by src/data/migrator.ts.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/false";

import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
