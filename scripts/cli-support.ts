import type { ProgressListener } from "../src/data/import/catalog-writer";

/** A progress line redrawn on stderr when it is a terminal; nothing otherwise (logs and pipes stay clean). */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): { onProgress?: ProgressListener; done(): void } {
  if (!stream.isTTY) return { done() {} };
  let drawn = false;
  return {
    onProgress({ phase, done, total }) {
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      stream.write(`\r\x1b[K${phase}: ${done}/${total} (${percent}%)`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
    },
  };
}

/** Runs a CLI's main: prints the error's message (not a stack) and exits 1 when it fails. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

/** A whole number flag value, or an error naming the flag and showing the bad value. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min) throw new Error(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
  return parsed;
}
