import { formatReport, passed, runConsistencyCheck, type CheckOptions, type CheckReport } from "../../scripts/consistency/checker";
import { testServerUrl } from "../helpers/database";
import { testRedisUrl } from "../helpers/redis-server";

/**
 * The consistency checker (scripts/consistency) with the near cache on both gateways: no stale
 * read; and with the near cache's invalidation switched off (a test-only fault), stale reads found,
 * so the first pass proves something. Outcomes and counts are asserted, never timings.
 */
describe("consistency checker with the near cache", () => {
  const shared: Partial<CheckOptions> = { postgresUrl: testServerUrl, redisUrl: testRedisUrl, fillDelayMs: 30, near: true };

  const run = async (options: Partial<CheckOptions>): Promise<CheckReport> => {
    const report = await runConsistencyCheck({ ...shared, ...options });
    console.log(formatReport(report));
    return report;
  };

  it("finds no stale read with the near cache on", async () => {
    const report = await run({ targetReads: 2000, targetWrites: 200, durationMs: 45_000 });
    expect(report.examples.map((stale) => stale.reason)).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(passed(report)).toBe(true);
    const operations = report.reads + report.writes;
    expect(report.reads).toBeGreaterThan(0.1 * operations);
    expect(report.writes).toBeGreaterThan(0.1 * operations);
    expect(report.failedReads + report.failedWrites).toBe(0);
    // The near caches did answer reads (else the run proved nothing about them).
    expect(report.nearHits).toBeGreaterThan(0);
  }, 150_000);

  it("finds stale reads when the near cache ignores invalidations", async () => {
    const report = await run({ nearInvalidation: false, targetReads: 1000, targetWrites: 100, durationMs: 30_000 });
    expect(report.failedReads + report.failedWrites).toBe(0);
    expect(report.staleReads).toBeGreaterThan(0);
  }, 120_000);
});
