import { Counter, Histogram, Registry } from "prom-client";
import type { Family } from "./keys";

/** What the read path counts, per key family. */
export const cacheEvents = ["hit", "miss", "stale", "coalesced", "leaseWait", "rejectedWrite", "error", "invalidation", "expiredServed", "nearHit"] as const;
export type CacheEvent = (typeof cacheEvents)[number];

/** Counters of cache events per family, kept in process and exported to Prometheus. */
export interface CacheStats {
  record(family: Family, event: CacheEvent, n?: number): void;
  /** Times one store call of a family's read path ("read": values and leases, "fill": write-back). */
  time<T>(family: Family, operation: "read" | "fill", call: () => Promise<T>): Promise<T>;
  /** Counts so far, by family then event. */
  snapshot(): Record<string, Record<CacheEvent, number>>;
}

/** Creates the counters and registers `catalog_cache_events_total{family,event}` in `registry`. */
export function createCacheStats(registry: Registry): CacheStats {
  const counts = new Map<string, Record<CacheEvent, number>>();
  const counter = new Counter({
    name: "catalog_cache_events_total",
    help: "Cache events (hit, miss, stale, coalesced, leaseWait, rejectedWrite, error, invalidation, expiredServed: past TTL, not retired, served while one refresh runs; nearHit: the hits among them served by the near cache) per key family",
    labelNames: ["family", "event"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "catalog_cache_store_seconds",
    help: "Latency of cache store calls on the read path, per key family and operation (read, fill)",
    labelNames: ["family", "operation"],
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
    registers: [registry],
  });
  // Bound children per label pair: prom-client hashes a label object on every unbound call, a
  // measurable share of a whole-response hit (bench/README.md, "The hit path").
  const counterChildren = new Map<string, ReturnType<typeof counter.labels>>();
  const latencyChildren = new Map<string, ReturnType<typeof latency.labels>>();
  const bound = <C>(children: Map<string, C>, a: string, b: string, make: () => C): C => {
    const name = `${a}\0${b}`;
    let child = children.get(name);
    if (child === undefined) children.set(name, (child = make()));
    return child;
  };
  return {
    async time(family, operation, call) {
      const end = bound(latencyChildren, family, operation, () => latency.labels(family, operation)).startTimer();
      try {
        return await call();
      } finally {
        end();
      }
    },
    record(family, event, n = 1) {
      if (n <= 0) return;
      let row = counts.get(family);
      if (!row) {
        row = Object.fromEntries(cacheEvents.map((e) => [e, 0])) as Record<CacheEvent, number>;
        counts.set(family, row);
      }
      row[event] += n;
      bound(counterChildren, family, event, () => counter.labels(family, event)).inc(n);
    },
    snapshot() {
      return Object.fromEntries([...counts].map(([family, row]) => [family, { ...row }]));
    },
  };
}
