import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { FolderLockedError, lockFolder } from "../../src/data/folder-lock";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

// The gateway as a process, the way users run it: `npm start` and a signal; two processes on one
// embedded folder. Each process here is started and stopped by the test itself, by pid.
// `npm start` builds dist/ first when it is stale: on a loaded 2-core machine that alone can take a minute or more.
jest.setTimeout(300_000);

const repoRoot = path.resolve(__dirname, "../..");
const nodeArgs = ["--experimental-vm-modules", "--no-warnings", "-r", "ts-node/register/transpile-only"];

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function readyUrl(started: Started, timeoutMs = 240_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /ready at (http:\/\/\S+)/.exec(started.output());
    if (match) return match[1];
    if (started.child.exitCode !== null) throw new Error(`the gateway exited:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`the gateway did not start:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const answers = (url: string) => fetch(new URL("/health", url)).then((r) => r.ok, () => false);

describe("npm start and signals", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("life");
  });
  afterAll(async () => {
    await db?.drop();
  });

  const env = () => ({
    DATABASE_URL: db.url,
    PORT: "0",
    CACHE_STORE: "none",
    SEED_PRODUCTS: "40",
    SEED_CATEGORIES: "4",
    VECTOR_INDEX: "none",
    LOG_LEVEL: "info",
    NODE_ENV: "development",
  });

  it("SIGTERM to `npm start` reaches node, which stops and exits 0: nothing is left serving", async () => {
    const started = run("npm", ["start", "--silent"], env());
    const url = await readyUrl(started);
    expect(await answers(url)).toBe(true);
    started.child.kill("SIGTERM");
    expect(await started.exited).toBe(0);
    expect(started.output()).toMatch(/stopping/);
    expect(started.output()).toMatch(/"msg":"stopped"/);
    // Had npm's shell kept node running (reparented), it would still answer.
    expect(await answers(url)).toBe(false);
  });

  it("a second signal exits at once, while the first waits for a request in flight", async () => {
    const started = run(process.execPath, [...nodeArgs, "src/index.ts"], env());
    const url = new URL(await readyUrl(started));
    // A request whose body never finishes arriving: the drain waits for it.
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`POST / HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    started.child.kill("SIGINT");
    await waitFor(() => /stopping/.test(started.output()));
    expect(started.child.exitCode).toBeNull(); // still draining
    started.child.kill("SIGINT");
    expect(await started.exited).toBe(130);
    expect(started.output()).toMatch(/second signal/);
    socket.destroy();
  });
});

describe("one process per embedded database folder", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "cg-lock-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // A process that takes the folder's lock and holds it until killed.
  function holder(folder: string): Started {
    const script = `require("./src/data/folder-lock").lockFolder(${JSON.stringify(folder)}); console.log("held"); setInterval(() => {}, 1000);`;
    return run(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {});
  }

  it("refuses a second opener at once, naming the process that holds the folder and what to do", async () => {
    const folder = path.join(dir, "db");
    const first = holder(folder);
    await waitFor(() => first.output().includes("held"));
    try {
      expect(() => lockFolder(folder)).toThrow(FolderLockedError);
      expect(() => lockFolder(folder)).toThrow(new RegExp(`in use by process ${first.child.pid}\\b.*importProducts`));

      // The gateway itself, on that folder: refused before PGlite opens it, with the sentence, not a stack.
      const second = run(process.execPath, [...nodeArgs, "src/index.ts"], { PGLITE_DATA_DIR: folder, PORT: "0", NODE_ENV: "development" });
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`is in use by process ${first.child.pid}`);
      expect(second.output()).not.toMatch(/\n\s+at /);
    } finally {
      first.child.kill("SIGKILL");
      await first.exited;
    }
  });

  it("takes over a lock left by a process that was killed", async () => {
    const folder = path.join(dir, "stale");
    const first = holder(folder);
    await waitFor(() => first.output().includes("held"));
    first.child.kill("SIGKILL"); // no exit handler runs: the lock file stays
    await first.exited;
    const lock = lockFolder(folder);
    expect(lock.path).toBe(`${folder}.lock`);
    lock.release();
  });

  it("takes over an unreadable lock file", () => {
    const folder = path.join(dir, "garbled");
    writeFileSync(`${folder}.lock`, "not json");
    const lock = lockFolder(folder);
    lock.release();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
