// `npm run bench:first-start`: how long a new user waits. In a checkout where `npm ci` has run, it
// removes what a fresh clone lacks (dist/, the explorer's and the storefront's builds, the generated
// code, the embedded database), runs `npm start` as a user would, and times, from the spawn:
//   - the first answer with data to the README's first example (the category tree, two levels);
//   - `/ready` 200 (the vectors embedded too);
// and prints the start's own lines with their times. The gateway is stopped with SIGTERM at the end.
//   node bench/first-start.cjs [--dir <checkout>] [--port 4790] [--keep-build] [--keep-data] [--timeout 300]
// --keep-build keeps dist/ and the other builds (a start after a pull of nothing); --keep-data keeps
// the database (a restart). Plain node, no ts-node: nothing here competes with the start for CPU.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const dir = path.resolve(flag("dir", path.resolve(__dirname, "..")));
const port = Number(flag("port", "4790"));
const timeoutMs = Number(flag("timeout", "300")) * 1000;
const keepBuild = args.includes("--keep-build");
const keepData = args.includes("--keep-data");

/** The README's first example (Example queries): the top of the tree, two levels deep. */
const FIRST_EXAMPLE = "{ categoryTree(maxDepth: 1) { id name slug children { id name slug } } }";
/** Lines of the start worth a time: builds, steps, readiness. */
const WORTH_A_TIME = /built|Building|created|Storefront|start-up|Listening|ready|Seeded|synced|migrations|vector|embedding|Explorer|error|fail/i;

const loadAverage = () => os.loadavg().map((value) => value.toFixed(1)).join(" ");

/**
 * CPU seconds spent so far by the processes of the start (its process group): each live one's own
 * and its reaped children's (generate, the database's creation, finished builds). Unlike the wall
 * time it hardly depends on what else the machine runs. Linux only (/proc); null elsewhere.
 */
function cpuSeconds(groupId) {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  try {
    for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      let stat;
      try {
        stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        continue;
      }
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // After the command: state(0) ppid(1) pgrp(2) ... utime(11) stime(12) cutime(13) cstime(14)
      if (Number(fields[2]) !== groupId) continue;
      total += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / ticks;
    }
  } catch {
    return null;
  }
  return total;
}

async function main() {
  const removed = [
    ...(keepBuild ? [] : ["dist", "explorer/dist", "storefront/dist", "src/generated", "storefront/src/generated"]),
    ...(keepData ? [] : [".data"]),
  ];
  for (const relative of removed) fs.rmSync(path.join(dir, relative), { recursive: true, force: true });
  const loadBefore = loadAverage();
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const child = spawn("npm", ["start"], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), NODE_ENV: "development", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines = [];
  const record = (chunk) => {
    for (const raw of String(chunk).split("\n")) {
      if (!raw.trim()) continue;
      let text = raw;
      try {
        text = JSON.parse(raw).msg ?? raw;
      } catch {}
      lines.push({ at: seconds(), text });
    }
  };
  child.stdout.on("data", record);
  child.stderr.on("data", record);
  const exited = new Promise((resolve) => child.once("exit", resolve));

  const url = `http://127.0.0.1:${port}/`;
  let firstAnswer = null;
  let cpuAtFirstAnswer = null;
  let ready = null;
  while (performance.now() - started < timeoutMs && child.exitCode === null && (firstAnswer === null || ready === null)) {
    if (firstAnswer === null && (await answersWithData(url))) {
      firstAnswer = seconds();
      cpuAtFirstAnswer = cpuSeconds(child.pid);
    }
    if (ready === null && (await fetch(new URL("/ready", url)).then((r) => r.ok, () => false))) ready = seconds();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const loadAfter = loadAverage();
  if (child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  await exited;

  for (const { at, text } of lines) if (WORTH_A_TIME.test(text)) console.log(`${at.padStart(6)} s  ${text.slice(0, 160)}`);
  console.log(`removed before the start: ${removed.join(" ") || "nothing"}`);
  console.log(`first answer with data (README's first example): ${firstAnswer ?? "none"} s; /ready 200: ${ready ?? "never"} s`);
  if (cpuAtFirstAnswer !== null) console.log(`CPU seconds of the start's processes by the first answer: ${cpuAtFirstAnswer.toFixed(1)} (background builds included)`);
  console.log(`load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}; ${os.cpus().length} cores`);
  process.exit(firstAnswer === null ? 1 : 0);
}

async function answersWithData(url) {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: FIRST_EXAMPLE }),
    });
    const body = await response.json();
    return Array.isArray(body?.data?.categoryTree) && body.data.categoryTree.length > 0 && body.data.categoryTree[0].children.length > 0;
  } catch {
    return false;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
