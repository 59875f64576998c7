/**
 * `npm run bench:kube`: 500 concurrent tasks through a real `updraft run --executor kubernetes`
 * (a child process) against the fake API server (in this process), printed once:
 * - API requests per task by verb, from the fake's request journal (target ≤ 4 per task on
 *   average, the shared list+watch apart)
 * - the daemon's CPU time and RSS (from /proc of the daemon process)
 * - time from due to create request, p50/p99
 * - the same run under Airflow KubernetesPodOperator-style polling (each Pod GET every 2 s while it
 *   runs), computed from the measured run durations, as a ratio.
 * 10 DAGs × 50 independent tasks, all due at the same second (a 6-field cron); each task is a
 * `fake/sleep:<ms>` Pod (5–10 s), which the fake kubelet runs without a process.
 * Then the rate run (bench/lib/kube-rate-run.ts): 2,000 tasks due at once with --kube-qps 50, the
 * peak request rate measured at the fake against qps + burst. `-- --rate-only` runs only that one.
 */
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startFakeKube } from "../test/support/fake-kube/fake-kube.ts";
import { startDaemonProcess, waitReady } from "./lib/daemon-process.ts";
import { mb, ms } from "./lib/figures.ts";
import { procStats } from "./lib/kube-proc-stats.ts";
import { countByVerb, isShared, percentile, pollingBaseline } from "./lib/kube-requests.ts";
import { rateRun } from "./lib/kube-rate-run.ts";

const DAGS = 10;
const TASKS = 50;
const TOTAL = DAGS * TASKS;
const NAMESPACE = "bench";
const LEAD_MS = 20_000;
const TARGET_PER_TASK = 4;

interface TaskView {
  state: string;
  startedAt: string | null;
  endedAt: string | null;
}
interface RunSummary {
  id: string;
  state: string;
}

/** Sleep time of task `t` of DAG `d`: spread over 5–10 s, the same on every run of the bench. */
const sleepMs = (d: number, t: number) => 5000 + (((d * TASKS + t) * 997) % 5001);

function dagSource(d: number, due: Date): string {
  const cron = `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} ${due.getUTCDate()} ${due.getUTCMonth() + 1} *`;
  const tasks = Array.from(
    { length: TASKS },
    (_, t) => `    pod({ id: "t${t}", image: "fake/sleep:${sleepMs(d, t)}", retries: 0 }),`,
  ).join("\n");
  return `import { dag, pod } from "updraft";
export default dag({
  id: "bench_${d}",
  schedule: ${JSON.stringify(cron)},
  catchup: false,
  tasks: [
${tasks}
  ],
});
`;
}

async function concurrencyRun(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-kube-"));
  const kube = await startFakeKube({ namespaces: ["default", NAMESPACE], watchTimeoutSeconds: 300 });
  let stop: (() => Promise<void>) | undefined;
  try {
    const dagsDir = path.join(work, "dags");
    await mkdir(dagsDir);
    const due = new Date(Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000);
    for (let d = 0; d < DAGS; d++) await writeFile(path.join(dagsDir, `bench_${d}.ts`), dagSource(d, due));
    const kubeconfig = path.join(work, "kubeconfig");
    await writeFile(kubeconfig, kube.kubeconfigText(NAMESPACE));
    const daemon = await startDaemonProcess(
      [
        "--dags",
        dagsDir,
        "--executor",
        "kubernetes",
        "--namespace",
        NAMESPACE,
        "--state-dir",
        path.join(work, "state"),
        // As deploy/ has it: the Lease in the daemon's namespace, the task pods in the jobs namespace.
        "--lease-namespace",
        "default",
      ],
      { ...process.env, KUBECONFIG: kubeconfig },
    );
    stop = () => daemon.stop();
    const pid = daemon.child.pid ?? 0;
    const status = await waitReady(daemon);
    if (status.dags.total !== DAGS) throw new Error(`expected ${DAGS} DAGs loaded, got ${status.dags.total}`);
    if (Date.now() > due.getTime() - 1000) throw new Error("the daemon took too long to load: raise LEAD_MS");
    await sleep(due.getTime() - 1000 - Date.now());
    const before = procStats(pid);
    const startIndex = kube.requests.length;
    let peakRss = before.rss;

    const runsDone = async (): Promise<RunSummary[] | undefined> => {
      const runs = await Promise.all(
        Array.from(
          { length: DAGS },
          async (_, d) => (await daemon.getJson<RunSummary[]>(`/api/dags/bench_${d}/runs`))[0],
        ),
      );
      return runs.every((r) => r && (r.state === "success" || r.state === "failed"))
        ? (runs as RunSummary[])
        : undefined;
    };
    let runs: RunSummary[] | undefined;
    const deadline = Date.now() + 180_000;
    while (!(runs = await runsDone())) {
      if (Date.now() > deadline) throw new Error("the 500 tasks did not finish within 3 minutes");
      peakRss = Math.max(peakRss, procStats(pid).rss);
      await sleep(1000);
    }
    const endedAt = Date.now();
    // Let the last deletes (sent right after each outcome) reach the journal.
    await sleep(1500);
    const after = procStats(pid);
    const journal = kube.requests.slice(startIndex).filter((r) => r.namespace === NAMESPACE);

    const tasks: TaskView[] = [];
    for (const run of runs) {
      const view = await daemon.getJson<{ tasks: TaskView[] }>(`/api/runs/${run.id}`);
      tasks.push(...view.tasks);
    }
    const succeeded = tasks.filter((t) => t.state === "success").length;
    const perTask = journal.filter((r) => !isShared(r));
    const shared = journal.filter(isShared);
    const creates = journal.filter((r) => r.verb === "create" && r.resource === "pods");
    const createLag = creates.map((r) => r.at - due.getTime());
    const runMs = tasks
      .filter((t) => t.startedAt && t.endedAt)
      .map((t) => Date.parse(t.endedAt ?? "") - Date.parse(t.startedAt ?? ""));
    const baseline = runMs.reduce((sum, life) => sum + pollingBaseline(life), 0);
    const ours = journal.length;
    const average = perTask.length / TOTAL;

    console.log(
      `bench:kube — ${TOTAL} tasks (${DAGS} DAGs × ${TASKS}), fake/sleep 5–10 s each, all due ${due.toISOString()}`,
    );
    console.log(
      `  tasks: ${succeeded} succeeded of ${tasks.length}; wall time due → last run done ${ms(endedAt - due.getTime())}`,
    );
    console.log(`  API requests by verb (namespace ${NAMESPACE}, from 1 s before due to the end):`);
    for (const [label, count] of countByVerb(journal)) {
      console.log(
        `    ${label.padEnd(28)} ${String(count).padStart(6)}   ${(count / TOTAL).toFixed(2)} per task${label === "list pods" || label === "watch pods" ? "  (shared)" : ""}`,
      );
    }
    console.log(
      `  per task, shared list+watch excluded: ${average.toFixed(2)} (${perTask.length} / ${TOTAL})   target ≤ ${TARGET_PER_TASK}: ${average <= TARGET_PER_TASK ? "PASS" : "MISS"}`,
    );
    console.log(`  shared list+watch: ${shared.length} requests for all ${TOTAL} tasks`);
    const leases = kube.requests.slice(startIndex).filter((r) => r.resource === "leases");
    console.log(
      `  leader election (Lease in namespace default, not per task): ${leases.length} requests (${[...countByVerb(leases).entries()].map(([verb, n]) => `${verb} ${n}`).join(", ")})`,
    );
    console.log(
      `  daemon CPU during the run: ${ms(after.cpuMs - before.cpuMs)} (${((after.cpuMs - before.cpuMs) / TOTAL).toFixed(1)} ms per task); RSS ${mb(after.rss)} at the end, peak sampled ${mb(peakRss)}, VmHWM ${mb(after.peakRss)}`,
    );
    console.log(
      `  due → create request: first ${ms(Math.min(...createLag))}, p50 ${ms(percentile(createLag, 50))}, p99 ${ms(percentile(createLag, 99))}, max ${ms(Math.max(...createLag))} (${creates.length} creates)`,
    );
    console.log(
      `  per-pod 2 s polling baseline (KubernetesPodOperator: create + GET every 2 s while running + log + delete, from the measured running times, median ${ms(percentile(runMs, 50))}): ${baseline} requests`,
    );
    console.log(
      `  ours / baseline: ${ours} / ${baseline} = ${(ours / baseline).toFixed(2)} (shared list+watch included; ${(perTask.length / baseline).toFixed(2)} without)`,
    );
    console.log(`  load average at the end: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
    if (succeeded !== TOTAL) process.exitCode = 1;
  } finally {
    await stop?.();
    await kube.close();
    await rm(work, { recursive: true, force: true });
  }
}

if (!process.argv.includes("--rate-only")) await concurrencyRun();
if (!(await rateRun())) process.exitCode = 1;
