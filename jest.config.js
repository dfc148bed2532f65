/** Jest: ts-jest over CommonJS output. Run through `npm test`, which adds --experimental-vm-modules (PGlite and Prisma load modules dynamically). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  // A bound for a test that hangs, not a speed check: on a 2-core machine shared with other builds,
  // an embedded database's first start (PGlite's initdb, migrations, seed) alone took over 60 s.
  testTimeout: 300_000,
};
