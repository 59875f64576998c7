/**
 * Sync figures of issue 17 (`npm run bench:sync`): push → live of a 1,000-DAG and of a 10,000-DAG
 * repository served from a local bare repo, through the webhook (and, at 1,000, through polling),
 * against the raw floor measured in the same run: `git fetch` + `git checkout <sha> -- <file>` of
 * the one changed file in an existing worktree + importing that module again in a warm Node process.
 * Each sync is split into the steps its record reports (`GET /api/syncs`, `steps`).
 * `BENCH_ONLY=1k` or `BENCH_ONLY=10k` runs one part. Prints PASS/MISS per target with the load
 * average; exits 1 only when a correctness check fails.
 */
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type DaemonProcess, startDaemonProcess, waitIdleAfter, waitReady } from "./lib/daemon-process.ts";
import { line, median, ms, timed } from "./lib/figures.ts";
import { createPushingRepo, git, type PushingRepo } from "./lib/git-bench.ts";
import { polledPushes, type SyncRecordBody, webhookPushes } from "./lib/push-latency.ts";
import { FLOOR_STEPS, RAW_STEPS, RawGitSync, type RawStep } from "./lib/raw-git-sync.ts";

const PARTS = { "1k": 1_000, "10k": 10_000 } as const;
type Part = keyof typeof PARTS;
const ONLY = process.env.BENCH_ONLY;
if (ONLY !== undefined && !(ONLY in PARTS)) throw new Error(`BENCH_ONLY: "${ONLY}" is not 1k or 10k`);
const WEBHOOK_PUSHES = { "1k": 20, "10k": 10 } as const;
const POLL_PUSHES = 6;
const POLL_INTERVAL = "2s";
/** Issue 17: push → live median at 1,000 DAGs, its ratio to the floor, and the 10,000-DAG figures. */
const TARGET_LIVE_1K_MS = 150;
const TARGET_RATIO = 2;
const TARGET_LIVE_10K_MS = 500;
const TARGET_RELOAD_10K_MS = 100;
const BRANCH = "main";
const DAGS_DIR = "dags";
const SECRET = "bench-webhook-secret";
const { values: flags } = parseArgs({ options: { "probe-every": { type: "string", default: "5" } } });
/** How often the bench asks GET /api/dags/:id whether the change is live (`--probe-every <ms>`). */
const PROBE_EVERY_MS = Number(flags["probe-every"]);
if (!Number.isInteger(PROBE_EVERY_MS) || PROBE_EVERY_MS < 1)
  throw new Error(`--probe-every: "${flags["probe-every"]}" is not a whole number of ms`);
/** Pause before each push, so the daemon's spare loader (restarted after every load) is up, as between real pushes. */
const SETTLE_MS = 2_000;

const started = performance.now();
const failures: string[] = [];
const daemons: DaemonProcess[] = [];
const raws: RawGitSync[] = [];
const summary: string[][] = [];
const work = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-sync-"));
// Loader processes (the daemons' and the floor's) keep tsx's transform cache under TMPDIR: a
// private one makes the daemon's first load honestly cold and leaves nothing behind.
const tmp = path.join(work, "tmp");
await mkdir(tmp);
const inheritedTmpdir = process.env.TMPDIR;
process.env.TMPDIR = tmp;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const daemon of daemons) daemon.child.kill("SIGKILL");
    for (const raw of raws) raw.close();
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

try {
  console.log(
    `updraft sync bench: node ${process.version}, ${await git(work, "--version")}, ` +
      `${os.cpus().length} CPUs, load average ${loadAverage()}`,
  );
  if (ONLY === undefined || ONLY === "1k") await part("1k");
  if (ONLY === undefined || ONLY === "10k") await part("10k");
  console.log("\nSummary (load average beside each line: 1, 5, 15 min)");
  for (const [label, value] of summary) line(label as string, value as string);
  console.log(`  bench took ${ms(performance.now() - started)}`);
} finally {
  for (const raw of raws) raw.close();
  await Promise.all(daemons.map((daemon) => daemon.stop()));
  if (inheritedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = inheritedTmpdir;
  await rm(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.log(`\nFAILED checks:\n${failures.map((failure) => `  - ${failure}`).join("\n")}`);
  process.exitCode = 1;
}

async function part(name: Part): Promise<void> {
  const count = PARTS[name];
  const dir = await mkdirIn(name);
  console.log(`\n== ${count.toLocaleString("en-US")} DAGs ==`);
  const created = await timed(async () =>
    createPushingRepo({
      clone: path.join(dir, "clone"),
      remote: path.join(dir, "remote.git"),
      dagsDir: DAGS_DIR,
      branch: BRANCH,
      count,
    }),
  );
  const repo = created.value;
  console.log(
    `repository: ${repo.dags.dags.length} DAG modules (${repo.dags.tasks} tasks, ${repo.dags.helpers.length} ` +
      `helpers) under ${DAGS_DIR}/, committed and pushed to a local bare repo in ${ms(created.ms)}; ` +
      "every DAG paused on creation so that no task runs during the bench",
  );
  console.log("First load: `updraft run` as a child process, --interval 5m so that no poll interferes");
  const spawned = performance.now();
  const daemon = await startDaemon(repo, path.join(dir, "state"), [
    "--webhook-secret",
    SECRET,
    "--interval",
    "5m",
  ]);
  checkLoaded(await waitReady(daemon, 180_000), count);
  line("spawn → /readyz 200 (mirror, snapshot, cold full load)", ms(performance.now() - spawned));
  const [first] = await daemon.getJson<SyncRecordBody[]>("/api/syncs?limit=1");
  line("  of which the first sync (its record's durationMs)", ms(first?.durationMs ?? Number.NaN));
  const readied = await timed(() => waitIdleAfter(daemon, first?.sha ?? ""));
  line("/readyz → spare snapshot ready (first sync's tidy-up)", ms(readied.ms));

  const firstFile = path.posix.join(DAGS_DIR, repo.dags.dags[0]?.file ?? "");
  const raw = await RawGitSync.create(repo.remote, await mkdirIn(`${name}/raw`), BRANCH, firstFile);
  raws.push(raw);
  const pushes = WEBHOOK_PUSHES[name];
  console.log(
    `\nPush → live through the webhook: ${pushes} pushes of 1 changed DAG file, from \`git push\` ` +
      `returning to GET /api/dags/:id (asked every ${PROBE_EVERY_MS} ms) showing the new description`,
  );
  const rawTimes: Array<Record<RawStep, number>> = [];
  const webhook = await webhookPushes({
    daemon,
    repo,
    branch: BRANCH,
    probeEveryMs: PROBE_EVERY_MS,
    settleMs: SETTLE_MS,
    check,
    pushes,
    firstRevision: 1,
    secret: SECRET,
    // The floor of the same commit, once the daemon is idle.
    async afterEach({ previous, sha, id, description }) {
      const dag = repo.dags.dags.find((candidate) => candidate.id === id);
      const file = path.posix.join(DAGS_DIR, dag?.file ?? "");
      const floor = await raw.sync(previous, sha, file);
      check(
        floor.description === description,
        `the floor's import of ${file} read ${String(floor.description)}`,
      );
      rawTimes.push(floor.ms);
    },
  });
  const live = webhook.live;
  const [firstPush = Number.NaN, ...laterPushes] = live;
  const liveMedian = median(live);
  line(`push → live, median of ${live.length}`, `${ms(liveMedian)}  (max ${ms(Math.max(...live))})`);
  line(
    "  the first push after the start / the median of the others",
    `${ms(firstPush)} / ${ms(median(laterPushes))}`,
  );
  const firstSteps = Object.entries(webhook.steps[0] ?? {}).map(([step, value]) => `${step} ${ms(value)}`);
  line("  the first push's steps", firstSteps.join(", "));
  line("  webhook answered 202 after", `median ${ms(median(webhook.answers))}`);
  line("  daemon's sync (record durationMs: fetch → applied)", `median ${ms(median(webhook.durations))}`);
  const stepNames = [...new Set(webhook.steps.flatMap((steps) => Object.keys(steps)))];
  for (const step of stepNames)
    line(
      `    step ${step}${step === "snapshot" || step === "diff" ? " (snapshot and diff run at once)" : ""}`,
      `median ${ms(median(webhook.steps.map((steps) => steps[step] ?? 0)))}`,
    );
  const rest = live.map((value, index) => value - (webhook.durations[index] ?? 0));
  line("  the rest (git push → webhook → sync start, probe interval)", `median ${ms(median(rest))}`);
  const reloads = webhook.steps.map((steps) => (steps.load ?? 0) + (steps.apply ?? 0));
  const reload = median(reloads);
  line("  1-file reload (the record's load + apply)", `median ${ms(reload)}`);

  console.log("\nFloor: the same commits with the git CLI and a warm Node process (no updraft code)");
  const rawMedians = Object.fromEntries(
    RAW_STEPS.map((step) => [step, median(rawTimes.map((times) => times[step]))]),
  ) as Record<RawStep, number>;
  for (const step of RAW_STEPS) line(step, `median ${ms(rawMedians[step])}`);
  const floor = median(rawTimes.map((times) => FLOOR_STEPS.reduce((sum, step) => sum + times[step], 0)));
  const ratio = liveMedian / floor;
  line("floor: fetch + checkout of the file + import (median of sums)", ms(floor));
  line("ratio median(push → live) / floor", `${ratio.toFixed(2)}x`);
  await daemon.stop();

  const load = loadAverage();
  if (name === "1k") {
    summary.push(
      [
        `push → live, 1,000 DAGs, median ≤ ${TARGET_LIVE_1K_MS} ms`,
        `${ms(liveMedian)} ${pass(liveMedian <= TARGET_LIVE_1K_MS)}  (load ${load})`,
      ],
      [
        `push → live, 1,000 DAGs, ≤ ${TARGET_RATIO}x the floor`,
        `${ratio.toFixed(2)}x (${ms(liveMedian)} / ${ms(floor)}) ${pass(ratio <= TARGET_RATIO)}  (load ${load})`,
      ],
    );
    await pollingPart(repo, path.join(dir, "state"));
  } else {
    summary.push(
      [
        `push → live, 10,000 DAGs, median ≤ ${TARGET_LIVE_10K_MS} ms`,
        `${ms(liveMedian)} ${pass(liveMedian <= TARGET_LIVE_10K_MS)}  (load ${load})`,
      ],
      [
        `push → live, 10,000 DAGs, the first push after the start`,
        `${ms(firstPush)} ${pass(firstPush <= TARGET_LIVE_10K_MS)}  (load ${load})`,
      ],
      [
        `1-file reload, 10,000 DAGs, median ≤ ${TARGET_RELOAD_10K_MS} ms`,
        `${ms(reload)} ${pass(reload <= TARGET_RELOAD_10K_MS)}  (load ${load})`,
      ],
      [`  floor at 10,000 DAGs; ratio`, `${ms(floor)}; ${ratio.toFixed(2)}x`],
    );
  }
}

/** Push → live when only polling finds the push (informational: the poll period dominates). */
async function pollingPart(repo: PushingRepo, stateDir: string): Promise<void> {
  console.log(
    `\nPush → live through polling alone: a daemon without webhook secret, --interval ${POLL_INTERVAL}`,
  );
  const daemon = await startDaemon(repo, stateDir, ["--interval", POLL_INTERVAL]);
  checkLoaded(await waitReady(daemon), repo.dags.dags.length);
  const polling = await polledPushes({
    daemon,
    repo,
    branch: BRANCH,
    probeEveryMs: PROBE_EVERY_MS,
    settleMs: SETTLE_MS,
    check,
    pushes: POLL_PUSHES,
    firstRevision: 101,
    // A random phase against the poll timer, as real pushes have.
    randomDelayMs: 2_000,
  });
  await daemon.stop();
  line(
    `push → live, median of ${polling.live.length}`,
    `${ms(median(polling.live))}  (max ${ms(Math.max(...polling.live))})`,
  );
  line("  push → the sync that took it started (record's `at`)", `median ${ms(median(polling.waits))}`);
  line("  that sync's durationMs", `median ${ms(median(polling.durations))}`);
}

async function startDaemon(repo: PushingRepo, stateDir: string, extra: string[]): Promise<DaemonProcess> {
  const args = ["--repo", repo.remote, "--branch", BRANCH, "--dags-dir", DAGS_DIR];
  const daemon = await startDaemonProcess([...args, "--state-dir", stateDir, ...extra], process.env);
  daemons.push(daemon);
  return daemon;
}

function checkLoaded(
  status: { dags: { total: number }; sync: { lastError: string | null } },
  count: number,
): void {
  check(
    status.dags.total === count && !status.sync.lastError,
    `after the first load: ${status.dags.total} DAGs, error ${status.sync.lastError}`,
  );
}

async function mkdirIn(name: string): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

function pass(passed: boolean): string {
  return passed ? "PASS" : "MISS";
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
}

function check(ok: boolean, failure: string): void {
  if (!ok && failures.length < 20) failures.push(failure);
}
