import { createDatabase } from "../../src/data/database";
import { migrate } from "../../src/data/migrator";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

describe("migrator", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("migrator");
  });
  afterAll(() => db.drop());

  it("applies each migration once and records it", async () => {
    expect(await migrate(db.sql)).toEqual([]);
    const rows = await db.sql.query<{ name: string }>(`SELECT name FROM "_catalog_migrations"`);
    expect(rows.map((r) => r.name)).toContain("20261121000000_init");
  });

  it("serialises concurrent migrators with the advisory lock", async () => {
    const other = await createDatabase({ kind: "postgres", url: db.url, poolSize: 2 });
    try {
      const results = await Promise.all([migrate(db.sql), migrate(other.sql)]);
      expect(results).toEqual([[], []]);
    } finally {
      await other.close();
    }
  });

  it("migrates an embedded PGlite database", async () => {
    const pglite = await createDatabase({ kind: "pglite", dataDir: "memory://" });
    try {
      const applied = await migrate(pglite.sql);
      expect(applied.length).toBeGreaterThan(0);
      expect(await pglite.prisma.category.count()).toBe(0);
    } finally {
      await pglite.close();
    }
  });
});
