/**
 * Issue 17, point 4 (`BENCH_ONLY=history npm run bench:state`): the state at 100,000 finished runs.
 * For each layout (DAGs × runs per DAG, `BENCH_HISTORY_LAYOUTS`, default `1000x100,10000x10`):
 * - a transition's write (`store.update` of a small change, 10 runs active) p50/p99 against ≤ 2 ms,
 *   with the ratio to a raw append + fdatasync of the same journal line, and round 1's whole-file
 *   write (temp + fsync + rename + fsync folder) of state.json beside it, taken in turns;
 * - `updraft run` spawned → `/readyz` 200 against ≤ 2 s, beside the same on an empty state dir;
 * - the daemon's RSS once ready, against the empty state dir's: what the history costs per run.
 */
import { readFileSync } from "node:fs";
import { mkdir, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dagSchema } from "../../src/dags/spec/dag-schema.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { writeFileDurably } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { shebangFlags } from "./daemon-node-flags.ts";
import { CLI, type Launch, pollUntil, startDaemonProcess } from "./daemon-process.ts";
import { line, mb, median, ms, verdict } from "./figures.ts";
import { finishedRuns } from "./finished-runs.ts";

const WRITE_TARGET_MS = 2;
const READY_TARGET_MS = 2_000;
// 1,000: the p99 is then the 10th slowest write, not the 3rd (300 let two slow fsyncs decide it).
const WRITES = Number(process.env.BENCH_HISTORY_WRITES ?? 1000);
const STARTS = Number(process.env.BENCH_HISTORY_STARTS ?? 3);
const ACTIVE_RUNS = 10;
const TASKS = 4;
const LAUNCH: Launch = { cli: CLI, nodeFlags: shebangFlags };

const load = () => os.loadavg()[0]?.toFixed(2) ?? "?";
const dagId = (i: number) => `h_${String(i).padStart(5, "0")}`;

function layouts(): Array<{ dags: number; perDag: number }> {
  return (process.env.BENCH_HISTORY_LAYOUTS ?? "1000x100,10000x10").split(",").map((text) => {
    const [dags, perDag] = text.split("x").map(Number);
    if (!dags || !perDag) throw new Error(`BENCH_HISTORY_LAYOUTS: "${text}" is not DAGSxRUNS`);
    return { dags, perDag };
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Writes `dags` history files of `perDag` finished runs each, as RunStore.archive leaves them. */
async function writeHistory(stateDir: string, dags: number, perDag: number): Promise<number> {
  const dir = path.join(stateDir, "runs");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let bytes = 0;
  for (let i = 0; i < dags; i++) {
    const text = JSON.stringify({ runs: finishedRuns(dagId(i), "/snapshots/a", perDag, TASKS) });
    bytes += text.length;
    await writeFile(path.join(dir, `${dagId(i)}.json`), text, { mode: 0o600 });
  }
  return bytes;
}

async function transitionWrites(stateDir: string, perDag: number): Promise<void> {
  const openedAt = performance.now();
  const store = await RunStore.open(stateDir, { keepRuns: perDag });
  const openMs = performance.now() - openedAt;
  const definition = dagSchema.parse({
    kind: "dag",
    id: dagId(0),
    schedule: null,
    tasks: [{ kind: "pod", id: "main", image: "busybox:1.36" }],
  });
  await store.update((state) => {
    for (let i = 0; i < ACTIVE_RUNS; i++) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, i));
      store.addRun(
        state,
        newRun(definition, {
          id: `${dagId(0)}__manual__active_${i}`,
          trigger: "manual",
          logicalDate: at,
          conf: {},
          commit: null,
          snapshot: "/snapshots/a",
          now: at,
        }),
      );
    }
    state.dags[dagId(0)] = { paused: false, lastScheduledAt: null, skipped: [] };
  });
  // The floor: the store's own bytes (its journal line) appended durably without the store, in the
  // fewest steps a durable append takes (write + fdatasync on a descriptor held open), and round 1's
  // whole-file write of state.json. Taken in turns with the store's writes: one noise.
  const text = await readFile(path.join(stateDir, "state.json"), "utf8");
  const rawFile = path.join(stateDir, "raw-floor.journal");
  const wholeFile = path.join(stateDir, "raw-floor.json");
  await writeFile(rawFile, "");
  const rawHandle = await open(rawFile, "a");
  const times: number[] = [];
  const raw: number[] = [];
  const whole: number[] = [];
  let lineBytes = 0;
  for (let i = 0; i < WRITES; i++) {
    const started = performance.now();
    await store.update((state) => {
      const dag = state.dags[dagId(0)];
      if (dag) dag.lastScheduledAt = new Date(i * 1000).toISOString();
    });
    times.push(performance.now() - started);
    if (lineBytes === 0) {
      const journal = await readFile(path.join(stateDir, "state.journal"), "utf8");
      lineBytes = Buffer.byteLength(journal.split("\n").at(-2) ?? "") + 1;
    }
    const rawStarted = performance.now();
    await rawHandle.write("x".repeat(lineBytes - 1) + "\n");
    await rawHandle.datasync();
    raw.push(performance.now() - rawStarted);
    const wholeStarted = performance.now();
    await writeFileDurably(wholeFile, text);
    whole.push(performance.now() - wholeStarted);
  }
  await rawHandle.close();
  await rm(rawFile, { force: true });
  await rm(wholeFile, { force: true });
  const p99 = percentile(times, 99);
  const rawP99 = percentile(raw, 99);
  line(
    `  RunStore.open (in this process)`,
    `${ms(openMs)}; state.json ${(text.length / 1024).toFixed(1)} KB (load ${load()})`,
  );
  line(
    `  transition write (store.update), ${WRITES}×`,
    `p50 ${median(times).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; raw append + fdatasync of its ` +
      `${lineBytes} B (held fd: write + fdatasync) p50 ${median(raw).toFixed(2)} ms, p99 ${rawP99.toFixed(2)} ms; ratio p99 ` +
      `${(p99 / rawP99).toFixed(2)}; ${verdict(p99, WRITE_TARGET_MS, (v) => `${v.toFixed(2)} ms`)} (load ${load()})`,
  );
  line(
    `  round 1's write: state.json whole, durably`,
    `p50 ${median(whole).toFixed(2)} ms, p99 ${percentile(whole, 99).toFixed(2)} ms (for comparison)`,
  );
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Spawns the daemon on `stateDir` `STARTS` times: median time to /readyz 200 and RSS once ready. */
async function daemonStarts(
  dagsDir: string,
  stateDir: string,
  keepRuns: number,
): Promise<{ readyMs: number; rss: number; all: number[] }> {
  const readies: number[] = [];
  const rsses: number[] = [];
  for (let k = 0; k < STARTS; k++) {
    const started = performance.now();
    const daemon = await startDaemonProcess(
      ["--dags", dagsDir, "--state-dir", stateDir, "--executor", "local", "--keep-runs", String(keepRuns)],
      { ...process.env },
      120_000,
      LAUNCH,
    );
    try {
      await pollUntil(
        "/readyz",
        async () => ((await fetch(`${daemon.url}/readyz`)).status === 200 ? true : undefined),
        { everyMs: 10, timeoutMs: 120_000 },
      );
      readies.push(performance.now() - started);
      // What start-up left behind settles (the catch-up of notifications, say) before RSS is read.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await fetch(`${daemon.url}/`).then((r) => r.arrayBuffer());
      rsses.push(rssOf(daemon.child.pid as number));
    } finally {
      await daemon.stop();
    }
  }
  return { readyMs: median(readies), rss: median(rsses), all: readies };
}

export async function historyFigures(root: string): Promise<void> {
  const dagsDir = path.join(root, "history-dags");
  await mkdir(dagsDir, { recursive: true });
  await writeFile(
    path.join(dagsDir, "one.ts"),
    'import { dag, pod } from "updraft";\n' +
      'export default dag({ id: "one", schedule: null, tasks: [pod({ id: "t", image: "busybox:1.36" })] });\n',
  );
  const empty = path.join(root, "history-empty");
  // The first spawn builds the CLI bundle if it is not cached: not measured.
  await daemonStarts(dagsDir, empty, 100).catch(() => undefined);
  await rm(empty, { recursive: true, force: true });
  const baseline = await daemonStarts(dagsDir, empty, 100);
  console.log(`  history (issue 17 point 4), ${STARTS} starts each, median`);
  line(
    `  empty state dir: spawn → /readyz`,
    `${ms(baseline.readyMs)}; RSS ${mb(baseline.rss)} (load ${load()})`,
  );
  for (const { dags, perDag } of layouts()) {
    const stateDir = path.join(root, `history-${dags}x${perDag}`);
    const bytes = await writeHistory(stateDir, dags, perDag);
    const runs = dags * perDag;
    console.log(
      `  ${dags.toLocaleString("en-US")} DAGs × ${perDag} = ${runs.toLocaleString("en-US")} finished runs ` +
        `(${mb(bytes)} of history files)`,
    );
    await transitionWrites(stateDir, perDag);
    const started = await daemonStarts(dagsDir, stateDir, perDag);
    line(
      `  spawn → /readyz`,
      `${ms(started.readyMs)} (empty ${ms(baseline.readyMs)}, +${ms(started.readyMs - baseline.readyMs)}); ` +
        `${verdict(started.readyMs, READY_TARGET_MS, ms)} (load ${load()})`,
    );
    const extra = started.rss - baseline.rss;
    line(
      `  daemon RSS once ready`,
      `${mb(started.rss)} (empty ${mb(baseline.rss)}, +${mb(extra)} = ${Math.round(extra / runs)} B per run) (load ${load()})`,
    );
    await rm(stateDir, { recursive: true, force: true });
    await stat(root);
  }
}
