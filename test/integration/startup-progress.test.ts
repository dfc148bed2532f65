import { loadConfig } from "../../src/config";
import type { StartupProgress } from "../../src/runtime";
import { startGateway, type Gateway } from "../../src/server";
import { executorEnv } from "../helpers/gateway";

// What a person watching `npm start` is told: the steps in order, seeding and embedding counted
// n/N up to their totals (the embedding after the gateway serves); a restart embeds nothing and
// rewrites no payload.
describe("start-up progress on a fresh embedded database", () => {
  let gateway: Gateway | null = null;
  afterEach(async () => {
    await gateway?.stop();
    gateway = null;
  });

  it("reports migrate, seed (categories then products, n/N) and embedding (n/N) in order", async () => {
    const config = loadConfig({ ...executorEnv(),
      NODE_ENV: "test",
      PORT: "0",
      PGLITE_DATA_DIR: "memory://",
      CACHE_STORE: "none",
      SEED_PRODUCTS: "1200",
      SEED_CATEGORIES: "20",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    });
    const reports: StartupProgress[] = [];
    gateway = await startGateway(config, { onProgress: (report) => reports.push(report) });
    // The embedding runs in the background once the gateway serves.
    await gateway.search.synced();

    const steps = reports.map((report) => report.step).filter((step, i, all) => step !== all[i - 1]);
    expect(steps).toEqual(["migrating", "seeding", "search", "embedding"]);
    const seeding = reports.filter((report) => report.step === "seeding");
    expect(seeding.at(-1)).toEqual({ step: "seeding", phase: "products", done: 1200, total: 1200 });
    expect(seeding.some((report) => report.phase === "categories" && report.done === 20 && report.total === 20)).toBe(true);
    const embedding = reports.filter((report) => report.step === "embedding");
    expect(embedding.length).toBeGreaterThan(1);
    expect(embedding.map((report) => report.done)).toEqual([...embedding.map((report) => report.done!)].sort((a, b) => a - b));
    expect(embedding.at(-1)).toEqual({ step: "embedding", done: 1200, total: 1200 });

    // The same catalog again: every vector and payload is current, nothing is written.
    const again = await gateway.search.indexer.syncAll();
    expect(again).toMatchObject({ embedded: 0, payloadOnly: 0, unchanged: 1200 });
  });
});
