/**
 * Sync figures for issue 3 (`npm run bench:sync`): push→live latency of a 1,000-DAG repository
 * served from a local bare repo, through the webhook and through polling, against the raw
 * `git fetch` + `git worktree add` of the same commits, with a sync split into its steps.
 * Prints plain figures with PASS/MISS per target; exits 1 only when a correctness check fails.
 */
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { type DaemonProcess, startDaemonProcess, waitReady } from "./lib/daemon-process.ts";
import { line, median, ms, timed, verdict } from "./lib/figures.ts";
import { createPushingRepo, git } from "./lib/git-bench.ts";
import { polledPushes, type SyncRecordBody, webhookPushes } from "./lib/push-latency.ts";
import { RAW_STEPS, RawGitSync, type RawStep } from "./lib/raw-git-sync.ts";
import { SYNC_STEPS, type SyncStep, SyncProfiler } from "./lib/sync-profile.ts";

const DAG_COUNT = 1_000;
const WEBHOOK_PUSHES = 20;
const POLL_PUSHES = 6;
const POLL_INTERVAL = "2s";
const TARGET_LIVE_MS = 1_000;
const TARGET_RATIO = 3;
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
const GIT_STEPS = SYNC_STEPS.filter((step) => step !== "load" && step !== "apply");

const started = performance.now();
const failures: string[] = [];
const daemons: DaemonProcess[] = [];
const work = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-sync-"));
// Loader processes (the daemons' and the replay's) keep tsx's transform cache under TMPDIR: a
// private one makes the daemon's first load honestly cold and leaves nothing behind.
const tmp = path.join(work, "tmp");
await mkdir(tmp);
const inheritedTmpdir = process.env.TMPDIR;
process.env.TMPDIR = tmp;
let replay: SyncProfiler | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const daemon of daemons) daemon.child.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

try {
  await main();
} finally {
  await replay?.close();
  await Promise.all(daemons.map((daemon) => daemon.stop()));
  if (inheritedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = inheritedTmpdir;
  await rm(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.log(`\nFAILED checks:\n${failures.map((failure) => `  - ${failure}`).join("\n")}`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  console.log(
    `updraft sync bench: node ${process.version}, ${await git(work, "--version")}, ` +
      `${os.cpus().length} CPUs, load average ${loadAverage()}`,
  );
  const created = await timed(async () =>
    createPushingRepo({
      clone: await mkdirIn("clone"),
      remote: path.join(work, "remote.git"),
      dagsDir: DAGS_DIR,
      branch: BRANCH,
      count: DAG_COUNT,
    }),
  );
  const repo = created.value;
  console.log(
    `repository: ${repo.dags.dags.length} DAG modules (${repo.dags.tasks} tasks, ${repo.dags.helpers.length} ` +
      `helpers) under ${DAGS_DIR}/, committed and pushed to a local bare repo in ${ms(created.ms)}; ` +
      "every DAG paused on creation so that no task runs during the bench",
  );
  const stateDir = path.join(work, "state");

  console.log("\nFirst load: `updraft run` as a child process, --interval 5m so that no poll interferes");
  const spawned = performance.now();
  const webhookDaemon = await startDaemon(stateDir, ["--webhook-secret", SECRET, "--interval", "5m"]);
  line("spawn → listening", ms(performance.now() - spawned));
  checkLoaded(await waitReady(webhookDaemon));
  line("spawn → /readyz 200 (mirror, snapshot, cold full load)", ms(performance.now() - spawned));
  const [first] = await webhookDaemon.getJson<SyncRecordBody[]>("/api/syncs?limit=1");
  line("  of which the first sync (its record's durationMs)", ms(first?.durationMs ?? Number.NaN));

  const raw = await RawGitSync.create(repo.remote, await mkdirIn("raw"), BRANCH);
  replay = new SyncProfiler({ remote: repo.remote, dir: await mkdirIn("replay"), dagsDir: DAGS_DIR });
  const replayFull = await timed(() => (replay as SyncProfiler).sync(BRANCH));
  check(replayFull.value.dags === DAG_COUNT, `the replay's full load gave ${replayFull.value.dags} DAGs`);

  console.log(
    `\nPush → live through the webhook: ${WEBHOOK_PUSHES} pushes of 1 changed DAG file, from \`git push\` ` +
      `returning to GET /api/dags/:id (asked every ${PROBE_EVERY_MS} ms) showing the new description`,
  );
  const common = { repo, branch: BRANCH, probeEveryMs: PROBE_EVERY_MS, settleMs: SETTLE_MS, check };
  const rawTimes: Array<Record<RawStep, number>> = [];
  const stepTimes: Array<Record<SyncStep, number>> = [];
  const webhook = await webhookPushes({
    ...common,
    daemon: webhookDaemon,
    pushes: WEBHOOK_PUSHES,
    firstRevision: 1,
    secret: SECRET,
    // The same commit through the git CLI, then through the daemon's own steps in this process.
    async afterEach({ previous, sha, id, description }) {
      rawTimes.push(await raw.sync(previous, sha));
      const replayed = await (replay as SyncProfiler).sync(BRANCH);
      const seen = replay?.description(id);
      check(
        replayed.sha === sha && replayed.evaluated === 1 && seen === description,
        `replayed sync of ${sha}: evaluated ${replayed.evaluated} modules, description ${seen}`,
      );
      stepTimes.push(replayed.ms);
    },
  });
  await webhookDaemon.stop();
  const liveMedian = median(webhook.live);
  const liveMax = Math.max(...webhook.live);
  line(
    `push → live, median of ${webhook.live.length}`,
    `${ms(liveMedian)}  ${verdict(liveMedian, TARGET_LIVE_MS, ms)}  (max ${ms(liveMax)})`,
  );
  line("  webhook answered 202 after", `median ${ms(median(webhook.answers))}`);
  line(
    "  daemon's sync (record durationMs: ls-remote → applied)",
    `median ${ms(median(webhook.durations))}, max ${ms(Math.max(...webhook.durations))}`,
  );
  const daemonSteps = [...new Set(webhook.steps.flatMap((steps) => Object.keys(steps)))];
  for (const step of daemonSteps)
    line(`    step: ${step}`, `median ${ms(median(webhook.steps.map((steps) => steps[step] ?? 0)))}`);
  const rest = webhook.live.map((value, index) => value - (webhook.durations[index] ?? 0));
  line("  the rest (webhook, sync start, probe interval)", `median ${ms(median(rest))}`);
  const probeCycle = median(webhook.live.map((value, index) => value / (webhook.probes[index] ?? 1)));
  line(
    `  GET /api/dags/:id probes per push; one probe cycle (${PROBE_EVERY_MS} ms pause + request)`,
    `median ${median(webhook.probes)}; ${probeCycle.toFixed(1)} ms`,
  );

  console.log("\nBaseline: the same commits with the git CLI into a bare mirror of its own");
  const rawMedians = medians(RAW_STEPS, rawTimes);
  for (const step of RAW_STEPS) line(`git ${step}`, `median ${ms(rawMedians[step])}`);
  const baseline = median(rawTimes.map((times) => times.fetch + times["worktree add (fresh snapshot)"]));
  const ratio = liveMedian / baseline;
  line("baseline: fetch + worktree add", `median ${ms(baseline)}`);
  line(
    "ratio median(push → live) / median(baseline)",
    `${ratio.toFixed(2)}x  target ≤ ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? "PASS" : "MISS"}`,
  );

  console.log(
    `\nWhere a sync's time goes: GitSync's steps (GitMirror, loadDagSet, DagRegistry.apply) replayed in ` +
      `this process on the same commits, median of ${stepTimes.length}`,
  );
  const stepMedians = medians(SYNC_STEPS, stepTimes);
  const stepTotal = median(stepTimes.map((steps) => sum(Object.values(steps))));
  for (const step of SYNC_STEPS)
    line(step, `${ms(stepMedians[step])}  (${percent(stepMedians[step], stepTotal)})`);
  line("all steps (median of sums)", ms(stepTotal));
  const gitMs = sum(GIT_STEPS.map((step) => stepMedians[step]));
  const loadMs = stepMedians.load + stepMedians.apply;
  line("git: the other steps (share of git + loading)", `${ms(gitMs)}  (${percent(gitMs, gitMs + loadMs)})`);
  line(
    "loading: load + apply (share of git + loading)",
    `${ms(loadMs)}  (${percent(loadMs, gitMs + loadMs)})`,
  );
  const replayedSync = median(
    stepTimes.map((steps) => sum(Object.values(steps)) - steps["prune old snapshot"]),
  );
  line(
    "for comparison: the daemon's durationMs / the replayed steps but pruning",
    `median ${ms(median(webhook.durations))} / ${ms(replayedSync)}`,
  );
  line("replay's own first sync: full load, tsx cache warm", ms(replayFull.ms));

  console.log(
    `\nPush → live through polling alone: a daemon without webhook secret, --interval ${POLL_INTERVAL}`,
  );
  const pollDaemon = await startDaemon(stateDir, ["--interval", POLL_INTERVAL]);
  checkLoaded(await waitReady(pollDaemon));
  const polling = await polledPushes({
    ...common,
    daemon: pollDaemon,
    pushes: POLL_PUSHES,
    firstRevision: 101,
    // A random phase against the poll timer, as real pushes have.
    randomDelayMs: 2_000,
  });
  await pollDaemon.stop();
  const polled = polling.live;
  line(`push → live, median of ${polled.length}`, `${ms(median(polled))}  (max ${ms(Math.max(...polled))})`);
  line("  push → the sync that took it started (record's `at`)", `median ${ms(median(polling.waits))}`);
  line("  that sync's durationMs", `median ${ms(median(polling.durations))}`);

  console.log("\nSummary");
  line(
    "push → live via webhook, median ≤ 1 s",
    `${ms(liveMedian)}  ${passOrMiss(liveMedian <= TARGET_LIVE_MS)}`,
  );
  line("push → live via webhook, max", ms(liveMax));
  line(
    `median push → live ≤ ${TARGET_RATIO}x raw git fetch + worktree add`,
    `${ratio.toFixed(2)}x (${ms(liveMedian)} / ${ms(baseline)})  ${passOrMiss(ratio <= TARGET_RATIO)}`,
  );
  line(
    `push → live via polling (--interval ${POLL_INTERVAL}), median / max`,
    `${ms(median(polled))} / ${ms(Math.max(...polled))}`,
  );
  line(
    "a sync's time, git / loading (replayed steps)",
    `${percent(gitMs, gitMs + loadMs)} / ${percent(loadMs, gitMs + loadMs)}`,
  );
  line(
    "snapshot: fresh worktree add / recycled worktree (git CLI)",
    `${ms(rawMedians["worktree add (fresh snapshot)"])} / ${ms(rawMedians["worktree move + checkout (recycled)"])}`,
  );
  console.log(`  load average at the end: ${loadAverage()}; bench took ${ms(performance.now() - started)}`);
}

async function startDaemon(stateDir: string, extra: string[]): Promise<DaemonProcess> {
  const args = ["--repo", path.join(work, "remote.git"), "--branch", BRANCH, "--dags-dir", DAGS_DIR];
  const daemon = await startDaemonProcess([...args, "--state-dir", stateDir, ...extra], process.env);
  daemons.push(daemon);
  return daemon;
}

function checkLoaded(status: { dags: { total: number }; sync: { lastError: string | null } }): void {
  check(
    status.dags.total === DAG_COUNT && !status.sync.lastError,
    `after the first load: ${status.dags.total} DAGs, error ${status.sync.lastError}`,
  );
}

function medians<K extends string>(keys: readonly K[], samples: ReadonlyArray<Record<K, number>>) {
  return Object.fromEntries(keys.map((key) => [key, median(samples.map((sample) => sample[key]))])) as Record<
    K,
    number
  >;
}

async function mkdirIn(name: string): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function percent(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)}%`;
}

function passOrMiss(passed: boolean): string {
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
