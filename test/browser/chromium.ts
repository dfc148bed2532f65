import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Debian's chromium package (`.ci/run` installs it); playwright-core brings no browser of its own. */
export const chromiumPath = "/usr/bin/chromium";

/** Flags for a headless run that reaches nothing but the pages it is sent to. */
export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** `describe` when Chromium is installed; otherwise skipped with the reason printed (console.warn). */
export function describeWithChromium(name: string, suite: () => void): void {
  if (existsSync(chromiumPath)) return describe(name, suite);
  console.warn(`Skipping "${name}": no Chromium at ${chromiumPath} (apt-get install -y chromium; .ci/run does it where apt is available)`);
  describe.skip(name, suite);
}

/** A headless Chromium; close it in afterAll. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumFlags });
}

/** Builds the storefront when storefront/dist is missing or older than its sources (as `npm start` does). */
export function buildStorefront(): void {
  const root = path.resolve(__dirname, "../..");
  execFileSync(process.execPath, [path.join(root, "storefront/build-if-stale.mjs")], { cwd: root, stdio: "inherit" });
}
