/**
 * Start-up figures for issue 12 (`npm run bench:startup`): from spawning `updraft run` to its
 * "updraft listening" log line with the example DAGs (dags/), and to `/readyz` 200 with 1,000
 * generated DAGs (bench/lib/dag-repo.ts, local-folder mode), each the median of `--runs` runs (5).
 * The CLI as it ships (bin/updraft.mjs: the cached bundle of src/) and as it started before (tsx
 * compiling src/ at every start, the baseline) take turns, so both see the same machine load; both
 * warm (bundle, loader runtime and tsx's cache built by an unmeasured first start), plus one cold
 * start of the bundle path in an empty TMPDIR. Prints PASS/MISS per target; exits 1 only when a
 * correctness check fails.
 */
import { mkdirSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { shebangFlags } from "./lib/daemon-node-flags.ts";
import { CLI, type Launch, pollUntil, startDaemonProcess, type StatusBody } from "./lib/daemon-process.ts";
import { generateDagRepo } from "./lib/dag-repo.ts";
import { Checks, line, median, ms, rangeOf, verdict } from "./lib/figures.ts";

const DAG_COUNT = 1_000;
const TARGET_LISTENING_MS = 500;
const TARGET_READY_MS = 3_000;
const EXAMPLE_DAGS = fileURLToPath(new URL("../dags", import.meta.url));

const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: "${flags.runs}" is not a count`);

// Both paths with the Node flags of the bin's shebang, as `updraft` runs from a shell.
const PATHS: ReadonlyArray<{ name: string; launch: Launch }> = [
  { name: "bundle", launch: { cli: CLI, nodeFlags: shebangFlags } },
  {
    name: "tsx",
    launch: { cli: fileURLToPath(new URL("./lib/tsx-cli.mjs", import.meta.url)), nodeFlags: shebangFlags },
  },
];

const checks = new Checks();
let dirs = 0;
const work = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-startup-"));
const removeWork = () => rmSync(work, { recursive: true, force: true });
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    removeWork();
    process.exit(130);
  });
}
try {
  await main();
} finally {
  removeWork();
}
if (checks.failures.length > 0) {
  console.log(`\nFAILED checks:\n${checks.failures.map((failure) => `  - ${failure}`).join("\n")}`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  console.log(
    `updraft start-up bench: node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAverage()}, ` +
      `${runs} runs per figure, node flags ${shebangFlags.join(" ") || "(none)"}`,
  );
  const repo = await generateDagRepo(path.join(work, "dags-1000"), DAG_COUNT);
  // The bundle and the loader runtime live in the private folder of TMPDIR: a TMPDIR of the bench's
  // own makes its first start cold and leaves nothing behind.
  const tmpdir = freshDir("tmp");

  console.log(`\nspawn → "updraft listening", example DAGs (${EXAMPLE_DAGS}), median of ${runs}`);
  const cold = await startOnce(PATHS[0]!.launch, ["--dags", EXAMPLE_DAGS], tmpdir, false);
  line("bundle, cold (empty TMPDIR: the bundle is built)", ms(cold.listeningMs));
  await startOnce(PATHS[1]!.launch, ["--dags", EXAMPLE_DAGS], tmpdir, false);
  const listening = await compare(["--dags", EXAMPLE_DAGS], tmpdir, false);
  report(listening, "listeningMs", TARGET_LISTENING_MS);

  console.log(`\nspawn → /readyz 200, ${DAG_COUNT} generated DAGs (--dags ${repo.root}), median of ${runs}`);
  const coldReady = await startOnce(PATHS[0]!.launch, ["--dags", repo.root], freshDir("tmp-cold"), true);
  line("bundle, cold (empty TMPDIR)", ms(coldReady.readyMs));
  const ready = await compare(["--dags", repo.root], tmpdir, true);
  report(ready, "readyMs", TARGET_READY_MS);
  line(
    "",
    `of it spawn → listening: ${PATHS.map((p) => `${p.name} ${ms(median(ready.get(p.name)!.map((t) => t.listeningMs)))}`).join(", ")}`,
  );
}

interface Timing {
  listeningMs: number;
  readyMs: number;
}

/** `runs` starts of each path, taking turns; returns each path's timings. */
async function compare(args: string[], tmpdir: string, untilReady: boolean): Promise<Map<string, Timing[]>> {
  const timings = new Map<string, Timing[]>(PATHS.map((p) => [p.name, []]));
  for (let run = 0; run < runs; run += 1)
    for (const { name, launch } of PATHS)
      timings.get(name)!.push(await startOnce(launch, args, tmpdir, untilReady));
  return timings;
}

/** Spawns a daemon with a fresh state dir, times it to listening (and /readyz 200), stops it. */
async function startOnce(
  launch: Launch,
  args: string[],
  tmpdir: string,
  untilReady: boolean,
): Promise<Timing> {
  const env = { ...process.env, TMPDIR: tmpdir };
  const stateDir = freshDir("state");
  const started = performance.now();
  const daemon = await startDaemonProcess(
    [...args, "--executor", "local", "--state-dir", stateDir],
    env,
    120_000,
    launch,
  );
  const listeningMs = performance.now() - started;
  try {
    if (!untilReady) return { listeningMs, readyMs: Number.NaN };
    await pollUntil(
      "/readyz",
      async () => ((await fetch(`${daemon.url}/readyz`)).status === 200 ? true : undefined),
      { everyMs: 10, timeoutMs: 120_000 },
    );
    const readyMs = performance.now() - started;
    const status = await daemon.getJson<StatusBody>("/api/status");
    checks.expect(
      status.dags.total === DAG_COUNT,
      () => `${launch.cli}: ${status.dags.total} DAGs ready, expected ${DAG_COUNT}`,
    );
    return { listeningMs, readyMs };
  } finally {
    await daemon.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function report(timings: Map<string, Timing[]>, field: keyof Timing, target: number): void {
  const medians = new Map<string, number>();
  for (const [name, values] of timings) {
    const figures = values.map((timing) => timing[field]);
    const value = median(figures);
    medians.set(name, value);
    line(
      `${name}, warm`,
      `${ms(value)}  ${verdict(value, target, ms)}  (range ${rangeOf(figures)}; load average ${loadAverage()})`,
    );
  }
  const bundle = medians.get("bundle") ?? Number.NaN;
  const tsx = medians.get("tsx") ?? Number.NaN;
  line("ratio bundle / tsx", `${(bundle / tsx).toFixed(2)}x (${(tsx / bundle).toFixed(1)} times as fast)`);
}

function freshDir(name: string): string {
  dirs += 1;
  const dir = path.join(work, `${name}-${dirs}`);
  mkdirSync(dir);
  return dir;
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
}
