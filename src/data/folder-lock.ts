import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * One process per embedded database folder. PGlite keeps the whole database in this process's
 * memory and writes it back to the folder; a second process opening the same folder reads a
 * snapshot, writes its own, and the folder ends up corrupt (the next start aborts). So the first
 * opener takes `<folder>.lock` (created exclusively, holding its pid and command line) and every
 * other opener is refused at once with the holder's pid and what to do instead.
 *
 * A lock whose pid is no longer alive (a killed process) is taken over, so a crash never blocks
 * the next start. Written here rather than with proper-lockfile: that package detects staleness by
 * the lock's age (it must be touched periodically) and cannot say which process holds the folder;
 * one process per folder on one machine is exactly what a pid answers.
 */
export interface FolderLock {
  readonly path: string;
  /** Removes the lock (idempotent). Also done when the process exits. */
  release(): void;
}

/** The folder is held by another live process. */
export class FolderLockedError extends Error {
  override readonly name = "FolderLockedError";
  constructor(readonly folder: string, readonly holder: LockHolder) {
    super(
      `The embedded database folder ${folder} is in use by process ${holder.pid} (${holder.command || "unknown command"}), ` +
        `which opened it at ${holder.since}. Two processes on one embedded folder corrupt it. Stop that process first, ` +
        `or, while it runs, load data through it (the importProducts mutation) instead of a second process; ` +
        `or give this process another folder (PGLITE_DATA_DIR) or a PostgreSQL server (DATABASE_URL).`,
    );
  }
}

interface LockHolder {
  pid: number;
  command: string;
  since: string;
}

/** Takes the lock of `folder` for this process, or throws `FolderLockedError`. */
export function lockFolder(folder: string): FolderLock {
  const lockPath = `${path.resolve(folder)}.lock`;
  const me: LockHolder = { pid: process.pid, command: process.argv.slice(1).join(" "), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readHolder(lockPath);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) throw new FolderLockedError(folder, holder);
      // Two openers raced for a stale lock and the other won.
      if (attempt > 0) throw new FolderLockedError(folder, holder ?? { pid: -1, command: "", since: "just now" });
      // Left by a process that is gone (or unreadable, or our own from an earlier open): take it over.
      rmSync(lockPath, { force: true });
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    // Only our own lock: never remove one another process took over meanwhile.
    if (readHolder(lockPath)?.pid === process.pid) rmSync(lockPath, { force: true });
  };
  process.on("exit", release);
  return { path: lockPath, release };
}

function readHolder(lockPath: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(lockPath, "utf8")) as LockHolder;
    return Number.isInteger(holder.pid) ? holder : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
