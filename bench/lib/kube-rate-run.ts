/**
 * `bench:kube`'s rate run: 2,000 tasks (20 DAGs × 100) due at the same second on a real
 * `updraft run --executor kubernetes --kube-qps 50` against the fake API server. Prints due →
 * create p50/p99 and the peak requests per sliding second measured at the fake (all of the
 * daemon's requests, Lease included, and per verb), PASS when the peak stays ≤ qps + burst; and
 * issue 17's point 5 lines: due → last Pod created against the budget's time plus 10 %
 * (2,000 / 50 s × 1.1 = 44 s), API requests per task (≤ 4), the daemon's CPU per task from /proc
 * (≤ 5 ms), split by thread, and its RSS. The daemon runs with the bin's shebang flags, as from a
 * shell; `BENCH_KUBE_NODE_FLAGS` adds more, and `BENCH_KUBE_CPU_PROF=<dir>` starts it with
 * `--cpu-prof` into <dir>.
 */
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { startFakeKube } from "../../test/support/fake-kube/fake-kube.ts";
import { CLI, startDaemonProcess, waitReady } from "./daemon-process.ts";
import { mb, ms } from "./figures.ts";
import { cpuSplit, newestProfile } from "./kube-cpu-split.ts";
import { procStats, threadCpu, threadSplit } from "./kube-proc-stats.ts";
import { countByVerb, percentile } from "./kube-requests.ts";

const DAGS = 20;
const TASKS = 100;
const TOTAL = DAGS * TASKS;
const QPS = 50;
const BURST = 40;
const NAMESPACE = "bench";
const LEAD_MS = 25_000;
/** Issue 17, point 5: every Pod created within the budget's time plus 10 %. */
const TARGET_ALL_CREATED_MS = (TOTAL / QPS) * 1000 * 1.1;
const TARGET_REQUESTS_PER_TASK = 4;
const TARGET_CPU_MS_PER_TASK = 5;
/** The Node flags of the bin's shebang: the daemon runs as `updraft run` does from a shell. */
const SHEBANG_FLAGS = readFileSync(CLI, "utf8").split("\n")[0]?.split(/\s+/).slice(3) ?? [];

function dagSource(d: number, due: Date): string {
  const cron = `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} ${due.getUTCDate()} ${due.getUTCMonth() + 1} *`;
  const tasks = Array.from(
    { length: TASKS },
    (_, t) => `    pod({ id: "t${t}", image: "fake/sleep:1000", retries: 0 }),`,
  );
  return `import { dag, pod } from "updraft";
export default dag({ id: "rate_${d}", schedule: ${JSON.stringify(cron)}, catchup: false, tasks: [
${tasks.join("\n")}
] });
`;
}

/** Runs the 2,000-task rate run and prints its lines; true when every task succeeded and the peak kept the budget. */
export async function rateRun(): Promise<boolean> {
  const work = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-kube-rate-"));
  const kube = await startFakeKube({ namespaces: ["default", NAMESPACE], watchTimeoutSeconds: 600 });
  let stop: (() => Promise<void>) | undefined;
  const profileDir = process.env.BENCH_KUBE_CPU_PROF;
  /** The /proc window (wall clock), for the profile's split. */
  let window: { from: number; to: number; cpuMs: number } | undefined;
  try {
    const dagsDir = path.join(work, "dags");
    await mkdir(dagsDir);
    const due = new Date(Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000);
    for (let d = 0; d < DAGS; d++) await writeFile(path.join(dagsDir, `rate_${d}.ts`), dagSource(d, due));
    const kubeconfig = path.join(work, "kubeconfig");
    await writeFile(kubeconfig, kube.kubeconfigText(NAMESPACE));
    const nodeFlags = [
      ...SHEBANG_FLAGS,
      // An experiment's extra flags (`BENCH_KUBE_NODE_FLAGS="--max-semi-space-size=16"`, say).
      ...(process.env.BENCH_KUBE_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
      ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
    ];
    const daemon = await startDaemonProcess(
      [
        ...["--dags", dagsDir, "--executor", "kubernetes", "--namespace", NAMESPACE],
        ...["--state-dir", path.join(work, "state"), "--lease-namespace", "default"],
        ...["--kube-qps", String(QPS), "--kube-burst", String(BURST)],
      ],
      { ...process.env, KUBECONFIG: kubeconfig },
      30_000,
      { cli: CLI, nodeFlags },
    );
    stop = () => daemon.stop();
    const status = await waitReady(daemon);
    if (status.dags.total !== DAGS) throw new Error(`expected ${DAGS} DAGs loaded, got ${status.dags.total}`);
    if (Date.now() > due.getTime() - 1000) throw new Error("the daemon took too long to load: raise LEAD_MS");
    const pid = daemon.child.pid ?? 0;
    await sleep(due.getTime() - 1000 - Date.now());
    const before = procStats(pid);
    const threadsBefore = threadCpu(pid);
    const beforeAt = Date.now();
    let peakRss = before.rss;
    const startIndex = kube.requests.length;
    // The fake stamps a request when its event loop gets to it: a stall there bunches arrivals.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const deadline = Date.now() + 900_000;
    let states: string[] = [];
    for (;;) {
      await sleep(2000);
      const runs = await Promise.all(
        Array.from(
          { length: DAGS },
          async (_, d) =>
            (await daemon.getJson<Array<{ id: string; state: string }>>(`/api/dags/rate_${d}/runs`))[0],
        ),
      );
      peakRss = Math.max(peakRss, procStats(pid).rss);
      states = runs.map((r) => r?.state ?? "none");
      if (states.every((s) => s === "success" || s === "failed")) break;
      if (Date.now() > deadline) throw new Error(`the ${TOTAL} tasks did not finish within 15 minutes`);
    }
    const endedAt = Date.now();
    lag.disable();
    // Each finished Pod's delete follows its outcome, and waits behind due creates for its turn:
    // the per-task figures count until the last one is in (then 1.5 s for stragglers).
    const deletes = () =>
      kube.requests.filter((r, at) => at >= startIndex && r.verb === "delete" && r.resource === "pods")
        .length;
    while (deletes() < TOTAL && Date.now() < endedAt + 120_000) await sleep(500);
    const deletesDoneAt = Date.now();
    await sleep(1500);
    const after = procStats(pid);
    const threads = threadSplit(pid, threadsBefore, threadCpu(pid));
    window = { from: beforeAt, to: Date.now(), cpuMs: after.cpuMs - before.cpuMs };
    const journal = kube.requests.slice(startIndex);
    const creates = journal.filter((r) => r.verb === "create" && r.resource === "pods");
    const createLag = creates.map((r) => r.at - due.getTime());
    const rates = kube.requestRates((r) => r.at >= (journal[0]?.at ?? 0));
    const budget = QPS + BURST;
    // The bucket lets `burst` go at once and then one per 1/qps s: the 99th create can go no sooner.
    const floorMs = ((Math.ceil(TOTAL * 0.99) - BURST) / QPS) * 1000;
    console.log(
      `bench:kube (rate) — ${TOTAL} tasks (${DAGS} DAGs × ${TASKS}), fake/sleep 1 s each, all due ${due.toISOString()}, --kube-qps ${QPS} --kube-burst ${BURST}, node ${nodeFlags.join(" ") || "(no flags)"}`,
    );
    console.log(
      `  runs: ${states.filter((s) => s === "success").length} of ${DAGS} succeeded; wall time due → last run done ${ms(endedAt - due.getTime())}, → last Pod deleted ${ms(deletesDoneAt - due.getTime())}; ${journal.length} API requests`,
    );
    console.log(
      `  due → create request: p50 ${ms(percentile(createLag, 50))}, p99 ${ms(percentile(createLag, 99))}, max ${ms(Math.max(...createLag))} (${creates.length} creates; the bucket alone allows p99 ≥ ${ms(floorMs)})`,
    );
    console.log(
      `  peak requests per sliding 1 s at the fake, by verb: ${[...rates.byVerb].map(([verb, peak]) => `${verb} ${peak}`).join(", ")}`,
    );
    console.log(
      `  peak requests per sliding 1 s at the fake, all verbs: ${rates.peak}   budget ≤ qps + burst = ${budget}: ${rates.peak <= budget ? "PASS" : "MISS"}`,
    );
    console.log(
      `  the fake's event loop delay (its request stamps are this late, and bunch up): p99 ${ms(lag.percentile(99) / 1e6)}, max ${ms(lag.max / 1e6)}; one request at qps ${QPS} is ${ms(1000 / QPS)}`,
    );
    const load = () => `load average ${os.loadavg()[0]?.toFixed(2)}`;
    const pass = (value: number, limit: number) => (value <= limit ? "PASS" : "MISS");
    const lastCreate = creates.length === TOTAL ? Math.max(...createLag) : Number.POSITIVE_INFINITY;
    console.log(
      `  due → last Pod created: ${ms(lastCreate)} (${creates.length} of ${TOTAL} created)   target ≤ ${ms(TARGET_ALL_CREATED_MS)} (${TOTAL} / ${QPS} s + 10 %): ${pass(lastCreate, TARGET_ALL_CREATED_MS)}   ${load()}`,
    );
    const tasksJournal = journal.filter((r) => r.namespace === NAMESPACE);
    const perTask = tasksJournal.length / TOTAL;
    console.log(
      `  API requests per task: ${perTask.toFixed(2)} (${tasksJournal.length} in namespace ${NAMESPACE}, shared list+watch included; ${[...countByVerb(tasksJournal)].map(([verb, n]) => `${verb} ${n}`).join(", ")})   target ≤ ${TARGET_REQUESTS_PER_TASK}: ${pass(perTask, TARGET_REQUESTS_PER_TASK)}   ${load()}`,
    );
    const cpuPerTask = (after.cpuMs - before.cpuMs) / TOTAL;
    console.log(
      `  daemon CPU per task: ${cpuPerTask.toFixed(2)} ms (${ms(after.cpuMs - before.cpuMs)} user + system from /proc, 1 s before due → last Pod deleted + 1.5 s)   target ≤ ${TARGET_CPU_MS_PER_TASK} ms: ${pass(cpuPerTask, TARGET_CPU_MS_PER_TASK)}   ${load()}`,
    );
    const others = threads.others.reduce((sum, [, value]) => sum + value, 0);
    console.log(
      `  daemon CPU by thread: main ${ms(threads.mainMs)} (${(threads.mainMs / TOTAL).toFixed(2)} ms/task), the ${threads.others.length} others ${ms(others)} (${(others / TOTAL).toFixed(2)} ms/task: ${threads.others.map(([, value]) => ms(value)).join(", ")})`,
    );
    console.log(
      `  daemon RSS: ${mb(before.rss)} before due, ${mb(after.rss)} at the end, peak sampled ${mb(peakRss)}, VmHWM ${mb(after.peakRss)}   ${load()}`,
    );
    console.log(`  load average at the end: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
    // The figures print PASS/MISS; the exit code is for correctness (every task ran, the budget held).
    return rates.peak <= budget && states.every((s) => s === "success");
  } finally {
    await stop?.();
    const exitedAt = Date.now();
    await kube.close();
    if (profileDir && window) printSplit(profileDir, window, exitedAt);
    await rm(work, { recursive: true, force: true });
  }
}

/** The profile's split of the same window: the store's state write against everything else. */
function printSplit(dir: string, window: { from: number; to: number; cpuMs: number }, exitedAt: number) {
  const file = newestProfile(dir);
  if (!file) return;
  const split = cpuSplit(file, exitedAt - window.from, exitedAt - window.to);
  const store = split.areas.find(([area]) => area.startsWith("src/store"))?.[1] ?? 0;
  const perTask = (value: number) => `${(value / TOTAL).toFixed(2)} ms/task`;
  console.log(
    `  CPU split from the --cpu-prof profile (${path.basename(file)}; the profiler itself adds CPU): main thread ${ms(split.busyMs)} of the ${ms(window.cpuMs)} in /proc (other threads: ${ms(window.cpuMs - split.busyMs)}, ${perTask(window.cpuMs - split.busyMs)})`,
  );
  console.log(
    `    store write (a src/store frame on the stack): ${ms(store)}, ${perTask(store)}; everything else on the main thread: ${ms(split.busyMs - store)}, ${perTask(split.busyMs - store)}`,
  );
  for (const [area, value] of split.areas)
    console.log(`    ${area.padEnd(48)} ${ms(value).padStart(10)}  ${perTask(value)}`);
}
