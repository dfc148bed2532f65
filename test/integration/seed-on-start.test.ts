import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDatabase, type Database } from "../../src/data/database";
import { migrate } from "../../src/data/migrator";
import { SEED_FILES, seedIfEmpty } from "../../src/data/seed/seed-on-start";
import { attributeViolations, inconsistentCategoryPaths } from "../helpers/catalog-checks";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { describeWithSharedData, sharedDataDir } from "../helpers/shared-data";

const counts = async (db: Pick<Database, "sql">) =>
  (
    await db.sql.query<{ categories: number; products: number }>(
      `SELECT (SELECT count(*)::int FROM categories) AS categories, (SELECT count(*)::int FROM products) AS products`,
    )
  )[0];

describe("seedIfEmpty on embedded PGlite", () => {
  let db: Database;
  const messages: string[] = [];
  beforeAll(async () => {
    db = await createDatabase({ kind: "pglite", dataDir: "memory://" });
    await migrate(db.sql);
  });
  afterAll(() => db?.close());

  it("generates the configured catalog into an empty database", async () => {
    const progress: { phase: string; done: number; total: number }[] = [];
    expect(await seedIfEmpty(db, { products: 300, categories: 25 }, (m) => messages.push(m), (p) => progress.push(p))).toBe("generated");
    expect(await counts(db)).toEqual({ categories: 25, products: 300 });
    // Categories first, then products, each counting up to its total (the start-up's n/N lines).
    expect(progress.at(-1)).toEqual({ phase: "products", done: 300, total: 300 });
    expect(progress.find((p) => p.phase === "categories" && p.done === p.total)).toEqual({ phase: "categories", done: 25, total: 25 });
    expect(await inconsistentCategoryPaths(db.sql)).toEqual([]);
    expect(await attributeViolations(db.sql)).toEqual([]);
    expect(messages).toEqual([expect.stringMatching(/^Seeded a generated catalog \(25 categories, 300 products\): 25 categories, 300 products in [\d.]+ s$/)]);
  });

  it("leaves a catalog that already has categories alone", async () => {
    expect(await seedIfEmpty(db, { products: 50, categories: 10 }, (m) => messages.push(m))).toBe("skipped");
    expect(await counts(db)).toEqual({ categories: 25, products: 300 });
    expect(messages).toHaveLength(1);
  });

  it("says why a seed folder is ignored on a database that has a catalog, and what to run instead", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "cg-seed-"));
    try {
      await Promise.all(Object.values(SEED_FILES).map((name) => writeFile(path.join(dir, name), "[]")));
      const said: string[] = [];
      expect(await seedIfEmpty(db, { dir, products: 1, categories: 1 }, (m) => said.push(m))).toBe("skipped");
      expect(said).toEqual([expect.stringContaining(`CATALOG_SEED_DIR=${dir} is ignored: the database already holds a catalog`)]);
      expect(said[0]).toContain(`npm run import -- --dir ${dir}`);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe("seedIfEmpty on PostgreSQL", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("seed_start");
  });
  afterAll(() => db?.drop());

  it("seeds once when several gateways start together", async () => {
    // One connection pool per gateway, as with separate processes.
    const gateways = await Promise.all([1, 2, 3].map(() => createDatabase({ kind: "postgres", url: db.url, poolSize: 1 })));
    try {
      const results = await Promise.all(gateways.map((gateway) => seedIfEmpty(gateway, { products: 100, categories: 15 }, () => undefined)));
      expect(results.sort()).toEqual(["generated", "skipped", "skipped"]);
      expect(await counts(db)).toEqual({ categories: 15, products: 100 });
    } finally {
      await Promise.all(gateways.map((gateway) => gateway.close()));
    }
  });

  it("names the missing file when the seed folder holds half the data set", async () => {
    const half = await mkdtemp(path.join(os.tmpdir(), "cg-seed-"));
    try {
      await writeFile(path.join(half, SEED_FILES.products), "[]");
      await expect(seedIfEmpty(db, { dir: half, products: 1, categories: 1 }, () => undefined)).rejects.toThrow(
        `The catalog seed folder ${JSON.stringify(half)} must hold bestbuy-categories.json`,
      );
    } finally {
      await rm(half, { recursive: true });
    }
  });
});

// docker-compose.yml mounts ../shared/data at CATALOG_SEED_DIR: where that folder does not exist,
// Docker mounts an empty one, and the start must not fail on it.
describe("seedIfEmpty with a seed folder that is empty or missing", () => {
  it.each(["empty", "missing"] as const)("seeds the generated catalog when the folder is %s, saying why", async (kind) => {
    const db = await createTestDatabase(`seed_${kind}`);
    const parent = await mkdtemp(path.join(os.tmpdir(), "cg-seed-"));
    try {
      const dir = kind === "empty" ? parent : path.join(parent, "absent");
      const said: string[] = [];
      expect(await seedIfEmpty(db, { dir, products: 30, categories: 5 }, (m) => said.push(m))).toBe("generated");
      expect(said[0]).toBe(
        `CATALOG_SEED_DIR=${dir} is missing or empty (no bestbuy-categories.json, no bestbuy-cellphones-products.json): seeding the generated catalog instead`,
      );
      expect(said[1]).toMatch(/^Seeded a generated catalog \(5 categories, 30 products\)/);
      expect(await counts(db)).toEqual({ categories: 5, products: 30 });
    } finally {
      await rm(parent, { recursive: true });
      await db.drop();
    }
  });
});

describeWithSharedData("seedIfEmpty with the real data set", () => {
  it.each(["postgres", "pglite"] as const)("imports the Best Buy catalog on %s", async (kind) => {
    const testDb = kind === "postgres" ? await createTestDatabase("seed_real") : null;
    const db = testDb ?? (await createDatabase({ kind: "pglite", dataDir: "memory://" }));
    try {
      if (kind === "pglite") await migrate(db.sql);
      const messages: string[] = [];
      expect(await seedIfEmpty(db, { dir: sharedDataDir, products: 1, categories: 1 }, (m) => messages.push(m))).toBe("real");
      expect(await counts(db)).toEqual({ categories: 4722, products: 3291 });
      expect(messages[0]).toMatch(/^Seeded the Best Buy catalog from .*: 4722 categories, 3291 products \(1 records rejected\) in/);
    } finally {
      await (testDb ? testDb.drop() : db.close());
    }
  });
});
