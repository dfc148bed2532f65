import { itJudgesConsistency } from "../helpers/consistency-runs";
import { testServerUrl } from "../helpers/database";
import { testRedisUrl } from "../helpers/redis-server";

/**
 * The consistency checker (scripts/consistency) with the near cache on both gateways: no stale
 * read; and with the near cache's invalidation switched off (a test-only fault), stale reads found,
 * so the first pass proves something. Outcomes and counts are asserted, never timings.
 */
describe("consistency checker with the near cache", () => {
  itJudgesConsistency({
    shared: { postgresUrl: testServerUrl, redisUrl: testRedisUrl, fillDelayMs: 30, near: true },
    clean: {
      title: "finds no stale read with the near cache on",
      options: { targetReads: 2000, targetWrites: 200, durationMs: 45_000 },
      timeoutMs: 150_000,
      // The near caches did answer reads (else the run proved nothing about them).
      expectMore: (report) => expect(report.nearHits).toBeGreaterThan(0),
    },
    faults: [
      {
        title: "finds stale reads when the near cache ignores invalidations",
        options: { nearInvalidation: false, targetReads: 1000, targetWrites: 100, durationMs: 30_000 },
        timeoutMs: 120_000,
      },
    ],
  });
});
