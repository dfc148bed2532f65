/**
 * The project's layers (docs/architecture.md): http -> server -> context -> modules -> loaders ->
 * cache -> data. `npm test` runs this (`npm run lint:deps`) so a cycle or an upward import fails CI.
 */
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", from: { path: "^src/" }, to: { circular: true } },
    { name: "cache-is-below-modules-and-loaders", severity: "error", from: { path: "^src/cache/" }, to: { path: "^src/(modules|loaders|plugins|server|context|runtime|http)" } },
    // The outbox keeps its rows in the database; repositories, importers and search stay out of the cache.
    { name: "cache-does-not-read-repositories", severity: "error", from: { path: "^src/cache/" }, to: { path: "^src/data/(repositories|import|search|seed)/" } },
    { name: "data-is-the-bottom", severity: "error", from: { path: "^src/data/" }, to: { path: "^src/(cache|modules|loaders|plugins|server|context|runtime|http)" } },
    { name: "loaders-are-below-modules", severity: "error", from: { path: "^src/loaders/" }, to: { path: "^src/(modules|plugins|server|context|runtime|http)" } },
    // Shared by every layer, so they import no layer of the project.
    { name: "neutral-modules-stay-neutral", severity: "error", from: { path: "^src/(catalog|errors|logger)\\.ts$" }, to: { path: "^src/(?!generated/)" } },
    // Configuration is read at the top (composition root, server, auth); lower layers declare the options they take.
    { name: "config-is-read-at-the-top", severity: "error", from: { path: "^src/(cache|data|loaders|modules)/" }, to: { path: "^src/config\\.ts$" } },
    { name: "modules-are-below-server", severity: "error", from: { path: "^src/modules/" }, to: { path: "^src/(plugins|server|runtime|http)" } },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/generated/" },
  },
};
