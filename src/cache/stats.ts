import { Counter, Registry } from "prom-client";
import type { Family } from "./keys";

/** What the read path counts, per key family. */
export const cacheEvents = ["hit", "miss", "stale", "coalesced", "leaseWait", "rejectedWrite", "error", "invalidation"] as const;
export type CacheEvent = (typeof cacheEvents)[number];

/** Counters of cache events per family, kept in process and exported to Prometheus. */
export interface CacheStats {
  record(family: Family, event: CacheEvent, n?: number): void;
  /** Counts so far, by family then event. */
  snapshot(): Record<string, Record<CacheEvent, number>>;
}

/** Creates the counters and registers `catalog_cache_events_total{family,event}` in `registry`. */
export function createCacheStats(registry: Registry): CacheStats {
  const counts = new Map<string, Record<CacheEvent, number>>();
  const counter = new Counter({
    name: "catalog_cache_events_total",
    help: "Cache events (hit, miss, stale, coalesced, leaseWait, rejectedWrite, error, invalidation) per key family",
    labelNames: ["family", "event"],
    registers: [registry],
  });
  return {
    record(family, event, n = 1) {
      if (n <= 0) return;
      let row = counts.get(family);
      if (!row) {
        row = Object.fromEntries(cacheEvents.map((e) => [e, 0])) as Record<CacheEvent, number>;
        counts.set(family, row);
      }
      row[event] += n;
      counter.inc({ family, event }, n);
    },
    snapshot() {
      return Object.fromEntries([...counts].map(([family, row]) => [family, { ...row }]));
    },
  };
}
