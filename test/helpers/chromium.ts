import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** Flags for a headless Chromium that asks nothing of the network by itself (updates, sync, QUIC probes). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The machine's Chromium (Debian's `chromium` package; .ci/run installs it), or null with the
 * reason: a browser test is skipped, saying why, only where none can be had.
 */
export function findChromium(): { path: string } | { missing: string } {
  for (const candidate of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(candidate)) return { path: candidate };
  try {
    const found = execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).trim();
    if (found) return { path: found };
  } catch {
    // Not on PATH either.
  }
  return { missing: "no Chromium on this machine (install Debian's `chromium`: apt-get install -y chromium)" };
}
