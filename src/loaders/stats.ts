import DataLoader from "dataloader";
import { jsonCodec } from "../cache/codec";
import type { StatType, StatValues } from "../data/repositories/stats-repository";
import { statAspects } from "./aspects";
import type { ReadRepositories } from "../data/read-replicas";
import type { LoaderDeps } from "./deps";

/**
 * Catalog statistics, one `stats:<type>` entry per statistic, stamped with `gen:stats`, which
 * product creates, deletes and moves and category writes move (Footprint.stats), and with the
 * aspects the statistic reads (`gen:stats:price`, ...; aspects.ts), which product updates move.
 */
export function createStatsLoader(deps: LoaderDeps) {
  const { readThrough, keys, ttls } = deps;
  const spec = {
    family: "stats" as const,
    key: (type: StatType) => keys.statsKey(type),
    ttlSeconds: ttls.stats,
    codec: jsonCodec<StatValues[StatType]>(),
    dependsOn: (type: StatType) => [keys.generationKey("stats"), ...statAspects(type).map((aspect) => keys.generationKey("stats", undefined, aspect))],
    replicaReads: true,
    load: (types: readonly StatType[], on: ReadRepositories = deps) => Promise.all(types.map((type) => on.statistics.compute(type))),
  };
  const loader = new DataLoader<StatType, StatValues[StatType]>(async (types) =>
    (await readThrough.load(spec, types)).map((value, i) => value ?? new Error(`Statistic ${types[i]} has no value`)),
  );
  return {
    /** One statistic, typed by its name. */
    load: <T extends StatType>(type: T) => loader.load(type) as Promise<StatValues[T]>,
  };
}
