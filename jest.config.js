/** Jest: ts-jest over CommonJS output. Run through `npm test`, which adds --experimental-vm-modules (PGlite and Prisma load modules dynamically). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60_000,
};
