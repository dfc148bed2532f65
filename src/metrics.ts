import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { CacheRuntime } from "./cache/read-through";
import type { SqlCounter } from "./data/database";

/**
 * The Prometheus registry of one gateway instance (its own, so several can run in one process):
 * process metrics, SQL statements, store round trips and database fills in progress. The cache's
 * per-family counters and latencies register themselves in it (src/cache/stats.ts).
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Exposes counts kept elsewhere (the SQL counter, the store's round trips) as Prometheus metrics. */
export function registerGatewayMetrics(registry: Registry, sql: SqlCounter, cache: CacheRuntime): void {
  let sqlSeen = 0;
  let roundTripsSeen = 0;
  new Counter({
    name: "catalog_sql_statements_total",
    help: "SQL statements sent to the database by this instance",
    registers: [registry],
    collect() {
      this.inc(sql.statements - sqlSeen);
      sqlSeen = sql.statements;
    },
  });
  const fillSources = cache.replicaFills?.counts;
  if (fillSources) {
    const seen = new Map<string, number>();
    new Counter({
      name: "catalog_cache_fill_reads_total",
      help: "Cache fills by the database they read: a read replica, or the primary and why (lagging, down, unmarked, failed)",
      labelNames: ["source", "reason"],
      registers: [registry],
      collect() {
        const now: [string, string, number][] = [
          ["replica", "", fillSources.replica],
          ...Object.entries(fillSources.primary).map(([reason, n]): [string, string, number] => ["primary", reason, n]),
        ];
        for (const [source, reason, n] of now) {
          const key = `${source}/${reason}`;
          this.inc({ source, reason }, n - (seen.get(key) ?? 0));
          seen.set(key, n);
        }
      },
    });
  }
  new Counter({
    name: "catalog_cache_store_round_trips_total",
    help: "Round trips to the cache store (a pipeline or a script counts one)",
    registers: [registry],
    collect() {
      const now = cache.store?.roundTrips ?? 0;
      this.inc(Math.max(0, now - roundTripsSeen));
      roundTripsSeen = now;
    },
  });
  new Gauge({
    name: "catalog_cache_fills_in_progress",
    help: "Database loads of the cache layer running now, and waiting for a slot (state=queued)",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      this.set({ state: "active" }, cache.fills.active);
      this.set({ state: "queued" }, cache.fills.queued);
    },
  });
}
