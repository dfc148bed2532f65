import { formatReport, passed, runConsistencyCheck, type CheckOptions, type CheckReport } from "../../scripts/consistency/checker";

/** One run of the consistency checker, as a test: its title, its options over the shared ones, its time cap, assertions of its own. */
export interface ConsistencyRun {
  title: string;
  options: Partial<CheckOptions>;
  timeoutMs: number;
  expectMore?: (report: CheckReport) => void;
}

export interface ConsistencyRuns {
  /** Options of every run: the services, the fill delay, the mode (near cache, cluster, processes). */
  shared: Partial<CheckOptions>;
  /** Checked on every report (e.g. which processes served the run). Default none. */
  eachReport?: (report: CheckReport) => void;
  /** The run with nothing switched off: it must find no stale read. */
  clean: ConsistencyRun;
  /** Runs with a fault switched on: each must find stale reads, or the clean run proved nothing. */
  faults: ConsistencyRun[];
}

/**
 * Registers one test per run of the consistency checker (scripts/consistency). Outcomes and the mix
 * of operations are asserted, never timings or throughput: a run stops once it has done enough
 * operations, or at its time cap on a slow machine. Each report goes to the test output, so a
 * failure shows the stale reads it found.
 */
/** Runs of a fault before the test gives up finding its stale reads. */
const FAULT_ATTEMPTS = 3;

export function itJudgesConsistency(runs: ConsistencyRuns): void {
  const run = async (options: Partial<CheckOptions>): Promise<CheckReport> => {
    const report = await runConsistencyCheck({ ...runs.shared, ...options });
    console.log(formatReport(report));
    runs.eachReport?.(report);
    return report;
  };

  const { clean } = runs;
  it(clean.title, async () => {
    const report = await run(clean.options);
    expect(report.examples.map((stale) => stale.reason)).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.staleReads).toBe(0);
    expect(report.wrongResponses).toBe(0);
    expect(passed(report)).toBe(true);
    // Whatever the machine's speed: both kinds of operations ran, interleaved (each at least a
    // tenth of the whole), and none failed.
    const operations = report.reads + report.writes;
    expect(report.reads).toBeGreaterThan(0.1 * operations);
    expect(report.writes).toBeGreaterThan(0.1 * operations);
    expect(report.failedReads + report.failedWrites).toBe(0);
    clean.expectMore?.(report);
  }, clean.timeoutMs);

  // A stale read with a fault on needs a race to happen (a fill and a write of the same entry
  // overlapping); on a heavily loaded machine one run may see too few of them, so a fault run is
  // repeated (at most FAULT_ATTEMPTS runs) until one finds stale reads. Any one run finding them shows
  // the checker can fail; a fault that never shows in three runs fails the test.
  for (const fault of runs.faults) {
    it(fault.title, async () => {
      let report = await run(fault.options);
      for (let attempt = 1; attempt < FAULT_ATTEMPTS && report.staleReads === 0; attempt += 1) {
        console.log(`${fault.title}: no stale read in run ${attempt} (${report.reads} reads, ${report.writes} writes); running again`);
        report = await run(fault.options);
      }
      expect(report.failedReads + report.failedWrites).toBe(0);
      expect(report.staleReads).toBeGreaterThan(0);
      fault.expectMore?.(report);
    }, fault.timeoutMs * FAULT_ATTEMPTS);
  }
}
