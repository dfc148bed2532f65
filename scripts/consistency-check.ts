import { parseArgs } from "node:util";
import { defaultCheckOptions, formatReport, passed, runConsistencyCheck, type CheckOptions } from "./consistency/checker";
import { intFlag, runCli } from "./cli-support";

const d = defaultCheckOptions;
const USAGE = `Runs the consistency checker: two gateways on one fresh PostgreSQL database and one Redis prefix,
concurrent writers and readers, then every read judged against the writes around it.

  npm run consistency -- --duration 30
  npm run consistency -- --guard off          # must find stale reads
  npm run consistency -- --invalidation off   # must find stale reads
  npm run consistency -- --partition          # gateway 0 cut off from Redis now and then: 0 stale reads
  npm run consistency -- --partition --handoff off   # must find stale reads
  npm run consistency -- --failover           # Redis fails over to a lagging replica now and then: 0 stale reads
  npm run consistency -- --failover --failover-replay off   # must find stale reads
  npm run consistency -- --cluster            # 3 gateway processes on a 3-master Redis Cluster it starts: 0 stale reads
  npm run consistency -- --cluster --guard off   # must find stale reads
  npm run consistency -- --near on            # the near cache on both gateways: 0 stale reads
  npm run consistency -- --near on --near-invalidation off   # must find stale reads
  npm run consistency -- --replica            # fills from a PostgreSQL replica 2 s behind: 0 stale reads
  npm run consistency -- --replica --lsn-check off   # must find stale reads

Flags (defaults in brackets):
  --duration <s>          how long the workload runs, seconds [${d.durationMs / 1000}]
  --writers <n>           writer tasks [${d.writers}]
  --readers <n>           reader tasks [${d.readers}]
  --products <n>          products under test, at most 100 [${d.products}]
  --categories <n>        categories under test [${d.categories}]
  --fill-delay-ms <ms>    pause of every cache fill between its database read and its write-back [${d.fillDelayMs}]
  --guard on|off          guarded cache fills [on]
  --invalidation on|off   cache invalidation after writes [on]
  --partition             gateway 0 reaches Redis through a proxy that stops now and then [off]
  --partition-ms <c>/<h>  with --partition: stopped <c> ms, then flowing <h> ms [1500/1500]
  --handoff on|off        hand invalidations a gateway cannot apply to the other gateway [on]
  --failover              both gateways reach a primary (with a replica) through a proxy; every 3 s the replica
                          stops replicating, 1 s later the primary dies and the proxy moves to the replica [off]
  --failover-replay on|off  apply recent invalidations again on a new Redis server [on]
  --cluster               start a 3-master Redis Cluster (redis-server, redis-cli) and run 3 gateways on it [off]
  --instances <n>         gateway instances [2, 3 with --cluster]
  --near on|off           the near cache (NEAR_CACHE) on both gateways [off]
  --near-invalidation on|off  with --near on: the near cache heeds Redis's invalidations [on]
  --replica               start a PostgreSQL primary (initdb, free port) and a streaming replica of it that
                          replays --replica-delay-ms behind; both gateways fill their caches from it [off]
  --replica-delay-ms <ms> with --replica: recovery_min_apply_delay of the replica [2000]
  --lsn-check on|off      with --replica: compare the replica's replay position with the writes' marks [on]
  --processes on|off      run each gateway as a process of its own (node src/index.ts, faults as CACHE_TEST_*
                          settings) instead of in the checker's process [on with --cluster, else off]
  --postgres-url <url>    server to create the scratch database on [${d.postgresUrl}]
  --redis-url <url>       Redis the gateways share (keys under a prefix of the run's own) [${d.redisUrl}]

Exit status: with both on, 1 if any read was stale, any request failed or any mutation returned
other than what it wrote; with a fault switched on, 1 if no stale read was found (the checker
must see what the fault breaks).`;

runCli(async () => {
  const { values } = parseArgs({
    options: {
      duration: { type: "string" },
      writers: { type: "string" },
      readers: { type: "string" },
      products: { type: "string" },
      categories: { type: "string" },
      "fill-delay-ms": { type: "string" },
      guard: { type: "string" },
      invalidation: { type: "string" },
      partition: { type: "boolean" },
      "partition-ms": { type: "string" },
      handoff: { type: "string" },
      failover: { type: "boolean" },
      "failover-replay": { type: "string" },
      cluster: { type: "boolean" },
      instances: { type: "string" },
      near: { type: "string" },
      "near-invalidation": { type: "string" },
      replica: { type: "boolean" },
      "replica-delay-ms": { type: "string" },
      "lsn-check": { type: "string" },
      processes: { type: "string" },
      "postgres-url": { type: "string" },
      "redis-url": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const options: CheckOptions = {
    ...d,
    durationMs: intFlag("duration", values.duration, d.durationMs / 1000, 1) * 1000,
    writers: intFlag("writers", values.writers, d.writers, 1),
    readers: intFlag("readers", values.readers, d.readers, 1),
    products: intFlag("products", values.products, d.products, 1),
    categories: intFlag("categories", values.categories, d.categories, 2),
    fillDelayMs: intFlag("fill-delay-ms", values["fill-delay-ms"], d.fillDelayMs),
    guard: switchFlag("guard", values.guard),
    invalidation: switchFlag("invalidation", values.invalidation),
    handOff: switchFlag("handoff", values.handoff),
    partition: values.partition ? partitionFlag(values["partition-ms"]) : undefined,
    failover: values.failover ? { everyMs: 3000, lagMs: 1000 } : undefined,
    failoverReplay: switchFlag("failover-replay", values["failover-replay"]),
    near: values.near === undefined ? d.near : switchFlag("near", values.near),
    nearInvalidation: switchFlag("near-invalidation", values["near-invalidation"]),
    replica: values.replica ? { applyDelayMs: intFlag("replica-delay-ms", values["replica-delay-ms"], 2000) } : undefined,
    replicaLsnCheck: switchFlag("lsn-check", values["lsn-check"]),
    postgresUrl: values["postgres-url"] ?? d.postgresUrl,
    redisUrl: values["redis-url"] ?? d.redisUrl,
    cluster: values.cluster ?? false,
    instances: values.instances === undefined ? undefined : intFlag("instances", values.instances, 2, 1),
    processes: values.processes === undefined ? undefined : switchFlag("processes", values.processes),
  };
  const report = await runConsistencyCheck(options);
  process.stdout.write(`${formatReport(report)}\n`);
  const faulty =
    !options.guard ||
    !options.invalidation ||
    (options.partition !== undefined && !options.handOff) ||
    (options.failover !== undefined && !options.failoverReplay) ||
    (options.near && !options.nearInvalidation) ||
    (options.replica !== undefined && !options.replicaLsnCheck);
  if (faulty && report.staleReads === 0) throw new Error("FAILED: a fault is switched on, but no stale read was found");
  if (!faulty && !passed(report)) throw new Error("FAILED: stale reads, failed requests or wrong write responses (above)");
});

function switchFlag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === "on") return true;
  if (value === "off") return false;
  throw new Error(`--${name} must be on or off, got ${JSON.stringify(value)}`);
}

// "<cut>/<heal>" in ms; default 1500/1500.
function partitionFlag(value: string | undefined): { cutMs: number; healMs: number } {
  if (value === undefined) return { cutMs: 1500, healMs: 1500 };
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) throw new Error(`--partition-ms must be <cut ms>/<heal ms>, got ${JSON.stringify(value)}`);
  return { cutMs: Number(match[1]), healMs: Number(match[2]) };
}
