import type { FillSourceCounts } from "../../src/cache/replica-fills";
import { createEnvironment, type Environment } from "./environment";
import { createFixture } from "./fixture";
import { runReader, type ReadRecord } from "./readers";
import { findStaleReads, type StaleRead } from "./verify";
import { runWriter } from "./writers";

/**
 * The consistency checker (DESIGN.md, the cache, promise 2): two gateway instances share one
 * PostgreSQL database and one Redis prefix; writer tasks update products (price, category, SKU)
 * and categories (rename, move) while reader tasks query both instances; afterwards every read is
 * judged against the writes around it (`verify.ts`). A read that starts after a write's response
 * must see that write or a later one, so a correct cache finds 0 stale reads, and one with the
 * guard or the invalidation switched off finds them.
 */

export interface CheckOptions {
  /** Longest run of the workload, ms. Default 15000. */
  durationMs: number;
  /** Stop early once this many reads and `targetWrites` writes are done. Default: run `durationMs`. */
  targetReads?: number;
  targetWrites?: number;
  /** Writer tasks; each owns a share of the entities. Default 4. */
  writers: number;
  /** Reader tasks. Default 8. */
  readers: number;
  /** Products under test, at most 100 (one listing page holds them all). Default 40. */
  products: number;
  /** Categories under test (the products move between them). Default 8. */
  categories: number;
  /** Top-level categories the categories under test move between. Default 3. */
  shelves: number;
  /** Guarded cache fills. Default true; false is a fault that must produce stale reads. */
  guard: boolean;
  /** Invalidation after each write. Default true; false is a fault that must produce stale reads. */
  invalidation: boolean;
  /** Pause of every cache fill between its database read and its write-back, ms. Default 30. */
  fillDelayMs: number;
  /**
   * Partial partition: gateway 0 reaches Redis through a proxy that stops the traffic for `cutMs`
   * every `cutMs + healMs`, while gateway 1 reaches it directly. Default none.
   */
  partition?: { cutMs: number; healMs: number };
  /** Redis fails over every `everyMs`, its replica having missed the last `lagMs` (see EnvironmentOptions). Default none. */
  failover?: { everyMs: number; lagMs: number };
  /** Apply recent invalidations again on a new Redis server. Default true; false is a fault that must produce stale reads under failovers. */
  failoverReplay: boolean;
  /** Hand invalidations a gateway cannot apply to the other (OUTBOX_HANDOFF). Default true; false is a fault that must produce stale reads under a partition. */
  handOff: boolean;
  /** The near cache on both gateways (NEAR_CACHE, with its barrier). Default false. */
  near: boolean;
  /** With `near`: the near cache heeds invalidations. Default true; false is a fault that must produce stale reads. */
  nearInvalidation: boolean;
  /**
   * PostgreSQL read replicas: the run's own primary and a streaming replica replaying
   * `applyDelayMs` behind, which both gateways fill their caches from (see EnvironmentOptions). Default none.
   */
  replica?: { applyDelayMs: number };
  /** REPLICA_LSN_CHECK with `replica`. Default true; false is a fault that must produce stale reads. */
  replicaLsnCheck: boolean;
  /** Longest random pause between two reads of one reader, ms. Default 4. */
  readerPauseMs: number;
  /** PostgreSQL server the checker creates its own database on. Default postgresql://postgres@127.0.0.1:5432/postgres. */
  postgresUrl: string;
  /** Redis the gateways share, under a prefix of the run's own. Default redis://127.0.0.1:6379. */
  redisUrl: string;
  /** Run on a Redis Cluster of the checker's own (3 masters it starts and stops) instead of `redisUrl`. Default false. */
  cluster?: boolean;
  /** Gateway instances. Default 2 (3 with `cluster`). */
  instances?: number;
  /**
   * Run each gateway as an operating-system process of its own (src/index.ts, faults passed as
   * CACHE_TEST_* settings) instead of as an instance in the checker's process. Default: with `cluster`.
   */
  processes?: boolean;
}

export const defaultCheckOptions: CheckOptions = {
  durationMs: 15_000,
  writers: 4,
  readers: 8,
  products: 40,
  categories: 8,
  shelves: 3,
  guard: true,
  invalidation: true,
  fillDelayMs: 30,
  handOff: true,
  failoverReplay: true,
  near: false,
  nearInvalidation: true,
  replicaLsnCheck: true,
  readerPauseMs: 4,
  postgresUrl: "postgresql://postgres@127.0.0.1:5432/postgres",
  redisUrl: "redis://127.0.0.1:6379",
};

/** How many gateway instances a run starts. */
export function instancesOf(options: Pick<CheckOptions, "cluster" | "instances">): number {
  return options.instances ?? (options.cluster ? 3 : 2);
}

/** Whether a run's gateways are processes of their own. */
export function processesOf(options: Pick<CheckOptions, "cluster" | "processes">): boolean {
  return options.processes ?? Boolean(options.cluster);
}

/** What a run did and found. */
export interface CheckReport {
  options: CheckOptions;
  reads: number;
  writes: number;
  /** Requests that failed (a correct gateway fails none); their problems are in `problems`. */
  failedReads: number;
  failedWrites: number;
  /** Mutations that did not return what they wrote (the fresh row, read from the database). */
  wrongResponses: number;
  staleReads: number;
  /** The first stale reads, at most five. */
  examples: StaleRead[];
  /** Fills the stores refused because an invalidation had taken their lease (both gateways). */
  rejectedWrites: number;
  /** Keys answered by the near caches (both gateways; 0 without `near`). */
  nearHits: number;
  /** Failed requests and mutations that did not return what they wrote, at most ten. */
  problems: string[];
  /** With `replica`: the fills of both gateways (during the workload) by where they read. */
  fillReads?: FillReads;
  /** Length of the workload, ms (setup and teardown not included). */
  durationMs: number;
  /** `performance.now()` when the workload started: read and write times count from it. */
  originMs: number;
  /** The process id of each gateway (the checker's own for gateways in its process). */
  gatewayPids: number[];
}

/** The fills of both gateways by where they read, what deciding cost, and the replica positions asked. */
export interface FillReads extends FillSourceCounts {
  positionQueries: number;
}

/** Whether a run with every safeguard on passed: no stale read, no failed request, no wrong response. */
export function passed(report: CheckReport): boolean {
  return report.staleReads === 0 && report.failedReads + report.failedWrites + report.wrongResponses === 0;
}

/** Runs the whole check: environment, fixture, workload, verdict, teardown. */
export async function runConsistencyCheck(overrides: Partial<CheckOptions> = {}): Promise<CheckReport> {
  const options = { ...defaultCheckOptions, ...overrides };
  validate(options);
  const env = await createEnvironment({
    ...options,
    instances: instancesOf(options),
    processes: processesOf(options),
    skipFailoverReplay: !options.failoverReplay,
    poolSize: Math.max(5, options.writers + 2),
    replica: options.replica && { ...options.replica, lsnCheck: options.replicaLsnCheck },
  });
  try {
    return await runWorkload(env, options);
  } finally {
    await env.close();
  }
}

async function runWorkload(env: Environment, options: CheckOptions): Promise<CheckReport> {
  const urls = env.gateways.map((gateway) => gateway.url);
  const model = await createFixture(urls[0], env.editorHeaders, env.run, options);
  const rejectedBefore = await rejectedWrites(env);
  const nearHitsBefore = await nearHits(env);
  const fillsBefore = fillReads(env);
  const reads: ReadRecord[] = [];
  const counts = { writes: 0, failedWrites: 0, failedReads: 0, wrongResponses: 0 };
  const problems: string[] = [];
  const startedMs = performance.now();
  const deadlineMs = startedMs + options.durationMs;
  const stopped = () =>
    performance.now() > deadlineMs ||
    (options.targetReads !== undefined && reads.length >= options.targetReads && counts.writes >= (options.targetWrites ?? 0));
  const writerContext = { model, urls, headers: env.editorHeaders, run: env.run, stopped, counts, problems };
  const readerContext = { model, urls, stopped, pauseMs: options.readerPauseMs, reads, counts, problems };
  await Promise.all([
    ...Array.from({ length: options.writers }, (_, i) => runWriter(i, options.writers, writerContext)),
    ...Array.from({ length: options.readers }, () => runReader(readerContext)),
  ]);
  const durationMs = performance.now() - startedMs;
  const stale = findStaleReads(reads, model);
  return {
    options,
    reads: reads.length,
    writes: counts.writes,
    failedReads: counts.failedReads,
    failedWrites: counts.failedWrites,
    wrongResponses: counts.wrongResponses,
    staleReads: stale.length,
    examples: stale.slice(0, 5),
    rejectedWrites: (await rejectedWrites(env)) - rejectedBefore,
    nearHits: (await nearHits(env)) - nearHitsBefore,
    problems: problems.slice(0, 10),
    ...(options.replica ? { fillReads: subtractCounts(fillReads(env), fillsBefore) } : {}),
    durationMs,
    originMs: startedMs,
    gatewayPids: env.gateways.map((gateway) => gateway.pid),
  };
}

// Sum of the fills every gateway's guard rejected.
async function rejectedWrites(env: Environment): Promise<number> {
  const counts = await Promise.all(env.gateways.map((gateway) => gateway.rejectedWrites()));
  return counts.reduce((sum, count) => sum + count, 0);
}

async function nearHits(env: Environment): Promise<number> {
  const counts = await Promise.all(env.gateways.map((gateway) => gateway.nearHits()));
  return counts.reduce((sum, count) => sum + count, 0);
}

// The fill sources of both gateways, summed.
function fillReads(env: Environment): FillReads {
  const total: FillReads = { replica: 0, primary: { lagging: 0, down: 0, unmarked: 0, failed: 0 }, decidingMs: 0, loadingMs: 0, positionQueries: 0 };
  for (const gateway of env.gateways) {
    const fills = gateway.inProcess?.cache.replicaFills;
    if (!fills) continue;
    const { counts } = fills;
    total.replica += counts.replica;
    total.decidingMs += counts.decidingMs;
    total.loadingMs += counts.loadingMs;
    total.positionQueries += fills.positionQueries;
    for (const reason of Object.keys(total.primary) as (keyof FillSourceCounts["primary"])[]) total.primary[reason] += counts.primary[reason];
  }
  return total;
}

function subtractCounts(after: FillReads, before: FillReads): FillReads {
  const primary = { ...after.primary };
  for (const reason of Object.keys(primary) as (keyof FillSourceCounts["primary"])[]) primary[reason] -= before.primary[reason];
  return {
    replica: after.replica - before.replica,
    primary,
    decidingMs: after.decidingMs - before.decidingMs,
    loadingMs: after.loadingMs - before.loadingMs,
    positionQueries: after.positionQueries - before.positionQueries,
  };
}

function validate(options: CheckOptions): void {
  const atLeast = (name: keyof CheckOptions, min: number) => {
    const value = options[name];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
      throw new Error(`${name} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
    }
  };
  atLeast("writers", 1);
  atLeast("readers", 1);
  atLeast("products", 1);
  atLeast("categories", 2);
  atLeast("shelves", 2);
  atLeast("fillDelayMs", 0);
  atLeast("readerPauseMs", 0);
  if (options.products > 100) throw new Error(`products must be at most 100 (one listing page), got ${options.products}`);
}

/** The report as the CLI prints it. */
export function formatReport(report: CheckReport): string {
  const { options } = report;
  const faults =
    [
      options.partition && `gateway 0 cut off from Redis ${options.partition.cutMs} ms of every ${options.partition.cutMs + options.partition.healMs} ms`,
      !options.guard && "guard off",
      !options.invalidation && "invalidation off",
      !options.handOff && "hand-off off",
      options.failover && `Redis fails over every ${options.failover.everyMs} ms (replica ${options.failover.lagMs} ms behind)`,
      !options.failoverReplay && "failover replay off",
      options.cluster && "on a 3-master Redis Cluster",
      options.near && (options.nearInvalidation ? "near cache on" : "near cache on, its invalidation off"),
      options.replica && `fills from a PostgreSQL replica ${options.replica.applyDelayMs} ms behind`,
      options.replica && !options.replicaLsnCheck && "replica LSN check off",
    ]
      .filter(Boolean)
      .join(", ") || "none";
  const lines = [
    `consistency check: ${instancesOf(options)} gateways${processesOf(options) ? " (processes)" : ""}, ${options.writers} writers, ${options.readers} readers, ${options.products} products, ${options.categories} categories, fill delay ${options.fillDelayMs} ms, faults: ${faults}`,
    `operations:             ${report.reads + report.writes} (${report.reads} reads, ${report.writes} writes) in ${(report.durationMs / 1000).toFixed(1)} s`,
    `stale reads:            ${report.staleReads}`,
    `guarded writes rejected: ${report.rejectedWrites}`,
    ...(options.near ? [`near cache hits:        ${report.nearHits}`] : []),
    `failed requests:        ${report.failedReads + report.failedWrites}`,
    `wrong write responses:  ${report.wrongResponses}`,
  ];
  if (report.fillReads) {
    const { replica, primary, decidingMs, loadingMs, positionQueries } = report.fillReads;
    const onPrimary = Object.values(primary).reduce((a, b) => a + b, 0);
    const fills = replica + onPrimary;
    const share = fills > 0 ? ((100 * replica) / fills).toFixed(1) : "0.0";
    const why = Object.entries(primary).map(([reason, n]) => `${reason} ${n}`).join(", ");
    lines.push(`fills from the replica: ${replica} of ${fills} (${share}%); from the primary: ${onPrimary} (${why})`);
    const perFill = (n: number, digits: number) => (fills > 0 ? (n / fills).toFixed(digits) : "-");
    const marks = options.replicaLsnCheck ? "1 store round trip for the marks, " : "";
    lines.push(
      `deciding per fill:      ${perFill(decidingMs, 3)} ms (${marks}${perFill(positionQueries, 2)} replica position queries), ` +
        `against ${perFill(loadingMs, 3)} ms of database read per fill in the same run`,
    );
  }
  const at = (ms: number) => (ms - report.originMs).toFixed(1);
  for (const { read, reason } of report.examples) {
    lines.push(`  stale: ${read.view} through gateway ${read.gateway} at ${at(read.startMs)}-${at(read.endMs)} ms: ${reason}`);
  }
  for (const problem of report.problems) lines.push(`  problem: ${problem}`);
  return lines.join("\n");
}
