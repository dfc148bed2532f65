import type { PrimaryReason, ReadReplicas, ReadRepositories } from "../data/read-replicas";
import type { ReplicaMarks } from "./replica-marks";
import type { CacheStore } from "./store";

/**
 * Where a cache fill reads (DATABASE_REPLICA_URLS): a read replica that has replayed past every
 * write its scopes' marks name (replica-marks.ts), else the primary. Writes, and what a mutation
 * returns, never come here: they run on the primary (src/modules/shared/writer.ts).
 *
 * Why it is safe: a fill's write-back lands only if no invalidation of its keys happened after its
 * lease or generations were read (read-through.ts), and every invalidation raises its marks before
 * it runs (outbox.ts). So the marks are read after the lease: any write whose invalidation the
 * fill's write-back would not notice has raised its marks already, and a replica below them is
 * not used. A request that starts after a write returned reads the raised marks the same way.
 *
 * A replica that is down, or fails the read, never fails the fill: the primary answers.
 */
export interface ReplicaFills {
  /**
   * Runs `load` on a replica allowed for `scopeKeys` (the keys whose invalidation guards the
   * fill's entries), or on the primary (`load()` with no argument). Before it, at once: one store
   * round trip (the marks) and at most one query per replica (its position, shared for `positionTtlMs`).
   */
  load<T>(store: CacheStore, scopeKeys: readonly string[], load: (on?: ReadRepositories) => Promise<T>): Promise<T>;
  /** Fills by where they read since start (for metrics and tests). */
  readonly counts: FillSourceCounts;
  /** Replay positions asked of the replicas since start. */
  readonly positionQueries: number;
}

/** Fills that read a replica, and fills that read the primary by why; what deciding cost. */
export interface FillSourceCounts {
  replica: number;
  primary: Record<PrimaryReason | "unmarked" | "failed", number>;
  /** Time spent deciding (the marks' round trip, the replicas' positions), ms, over every fill. */
  decidingMs: number;
  /** Time spent in the fills' database reads themselves, ms (what deciding is weighed against). */
  loadingMs: number;
}

export interface ReplicaFillOptions {
  /**
   * Compare the replica's position with the marks (REPLICA_LSN_CHECK, default true). false reads
   * any replica that answers, however far behind: it exists only so a test can show the stale
   * reads the check prevents.
   */
  lsnCheck?: boolean;
  /** The primary's WAL position now (`primaryWalPosition`), to write a missing base mark. */
  primaryPosition: () => Promise<string>;
  /** Told of a replica read that failed (the fill then read the primary). */
  onReplicaError?: (error: unknown, replica: string) => void;
}

// Past any WAL position: what no replica reaches (marks unknown).
const UNREACHABLE = "FFFFFFFFFFFFFFFF";

export function createReplicaFills(replicas: ReadReplicas, marks: ReplicaMarks, options: ReplicaFillOptions): ReplicaFills {
  const lsnCheck = options.lsnCheck ?? true;
  const counts: FillSourceCounts = { replica: 0, primary: { lagging: 0, down: 0, unmarked: 0, failed: 0 }, decidingMs: 0, loadingMs: 0 };

  async function onPrimary<T>(reason: keyof FillSourceCounts["primary"], load: (on?: ReadRepositories) => Promise<T>): Promise<T> {
    counts.primary[reason] += 1;
    return timed(() => load());
  }

  async function timed<T>(load: () => Promise<T>): Promise<T> {
    const startedMs = performance.now();
    try {
      return await load();
    } finally {
      counts.loadingMs += performance.now() - startedMs;
    }
  }

  return {
    counts,
    get positionQueries() {
      return replicas.positionQueries;
    },

    async load(store, scopeKeys, load) {
      const startedMs = performance.now();
      // The marks and the replicas' positions are read at once: one round trip of latency.
      let unmarked = false;
      const required = lsnCheck
        ? marks.required(store, scopeKeys).then((position) => {
            unmarked = position === null;
            return position ?? UNREACHABLE;
          })
        : null;
      const choice = await replicas.choose(required);
      counts.decidingMs += performance.now() - startedMs;
      if (unmarked) {
        // No base mark: written now for the next fills (a failure only leaves them on the primary).
        void marks.restoreBase(store, options.primaryPosition).catch(() => undefined);
        return onPrimary("unmarked", load);
      }
      if (!choice.replica) return onPrimary(choice.reason, load);
      try {
        const value = await timed(() => load(choice.replica.repositories));
        counts.replica += 1;
        return value;
      } catch (error) {
        replicas.failed(choice.replica);
        options.onReplicaError?.(error, choice.replica.name);
        return onPrimary("failed", load);
      }
    },
  };
}
