/**
 * The second part of `npm run bench:http` (issue 17, point 2): a real daemon with 10,000 DAGs
 * (4 tasks each, in nested team folders, with tags and owners) and 100,000 finished runs in
 * history (10 per DAG). autocannon drives `GET /api/dags?limit=100` (target p99 ≤ 50 ms), `GET /`
 * (target p99 ≤ 100 ms), a filtered and a later page of each, and `GET /healthz` as the floor
 * (the same server answering the least it can); then 200 requests in turn, each for a different
 * page, so none is a reused build. `BENCH_HTTP_MANY_DAGS` and
 * `BENCH_HTTP_MANY_RUNS_PER_DAG` change the size; `BENCH_HTTP_MANY_DAGS=0` skips this part.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { readFlags } from "../src/config/flags.ts";
import { RUN_FLAGS, runConfigFrom } from "../src/config/run-config.ts";
import { createDaemon } from "../src/daemon.ts";
import { systemClock } from "../src/leader/clock.ts";
import { createLogger } from "../src/log/logger.ts";
import { autocannon } from "./lib/autocannon.ts";
import { type Checks, line } from "./lib/figures.ts";
import { finishedRuns } from "./lib/finished-runs.ts";
import { taskChainLines } from "./lib/task-chain.ts";

const DAGS = Number(process.env.BENCH_HTTP_MANY_DAGS ?? 10_000);
const RUNS_PER_DAG = Number(process.env.BENCH_HTTP_MANY_RUNS_PER_DAG ?? 10);
const TASKS = 4;
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const TARGETS: ReadonlyMap<string, number> = new Map([
  ["/api/dags?limit=100", 50],
  ["/", 100],
]);

const dagId = (i: number) => `d_${String(i).padStart(5, "0")}`;
const team = (i: number) => `team_${String(i % 100).padStart(2, "0")}`;

function dagModule(i: number): string {
  const tasks = taskChainLines(TASKS);
  // A start date ahead: next runs are computed for every DAG, but none is due during the bench.
  return [
    'import { dag, pod } from "updraft";',
    `export default dag({ id: "${dagId(i)}", schedule: "0 3 * * *", startDate: "2030-01-01",`,
    `  owner: "owner_${i % 37}", tags: ["${team(i)}", "tier_${i % 3}"], tasks: [`,
    ...tasks,
    "] });",
    "",
  ].join("\n");
}

/** Latency of `count` requests in turn, each after a different DAG, so none is served from a cache. */
async function distinctPages(
  url: string,
  base: string,
  count: number,
): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let k = 0; k < count; k++) {
    const started = performance.now();
    const response = await fetch(`${url}${base}${dagId(Math.floor((k * DAGS) / count))}`);
    await response.arrayBuffer();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

const loadAverage = async () => (await readFile("/proc/loadavg", "utf8")).trim();

/** Prints the 10,000-DAG lines; adds a failure to `checks` for an answer that is not 200. */
export async function manyDagsFigures(checks: Checks): Promise<void> {
  if (DAGS === 0) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-http-many-"));
  try {
    const dagsDir = path.join(dir, "dags");
    const stateDir = path.join(dir, "state");
    await mkdir(path.join(stateDir, "runs"), { recursive: true });
    const written = performance.now();
    for (let i = 0; i < DAGS; i++) {
      const folder = path.join(dagsDir, team(i), `sub_${i % 7}`);
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, `${dagId(i)}.ts`), dagModule(i));
      if (RUNS_PER_DAG > 0)
        await writeFile(
          path.join(stateDir, "runs", `${dagId(i)}.json`),
          JSON.stringify({ runs: finishedRuns(dagId(i), dagsDir, RUNS_PER_DAG, TASKS) }),
        );
    }
    const setupMs = performance.now() - written;
    const { values } = readFlags(
      [
        "--dags",
        dagsDir,
        "--state-dir",
        stateDir,
        "--port",
        "0",
        "--keep-runs",
        String(Math.max(1, RUNS_PER_DAG)),
      ],
      {},
      RUN_FLAGS,
    );
    const log = createLogger({ secrets: [], destination: new Writable({ write: (_c, _e, done) => done() }) });
    const daemon = createDaemon(runConfigFrom(values, {}), log, {}, { env: process.env, clock: systemClock });
    const started = performance.now();
    await daemon.start();
    try {
      const url = daemon.url();
      const deadline = Date.now() + 600_000;
      while ((await fetch(`${url}/readyz`)).status !== 200) {
        if (Date.now() > deadline) throw new Error(`the daemon did not load ${DAGS} DAGs within 600 s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const readyMs = performance.now() - started;
      console.log(
        `bench:http (many DAGs) — ${DAGS.toLocaleString("en-US")} DAGs × ${TASKS} tasks, ` +
          `${(DAGS * RUNS_PER_DAG).toLocaleString("en-US")} finished runs in history (${RUNS_PER_DAG} per DAG); ` +
          `files written in ${Math.round(setupMs / 1000)} s, daemon ready in ${Math.round(readyMs / 1000)} s`,
      );
      const middle = dagId(Math.floor(DAGS / 2));
      const all = await fetch(`${url}/api/dags`);
      const allBytes = (await all.arrayBuffer()).byteLength;
      line("GET /api/dags (all, once)", `${(allBytes / 1024 / 1024).toFixed(1)} MB`);
      const paths = [
        "/healthz",
        "/api/dags?limit=100",
        `/api/dags?limit=100&before=${middle}`,
        "/api/dags?limit=100&tag=team_42&state=active",
        "/",
        `/?before=${middle}`,
        "/?tag=team_42&owner=owner_5",
      ];
      console.log(`  load average before: ${await loadAverage()}`);
      for (const pathname of paths) {
        const probe = await fetch(url + pathname);
        const bytes = (await probe.arrayBuffer()).byteLength;
        checks.expect(probe.status === 200, () => `GET ${pathname} answered ${probe.status}`);
        const measured = await autocannon(url, pathname, { connections: CONNECTIONS, seconds: SECONDS });
        const target = TARGETS.get(pathname);
        const verdict =
          target === undefined
            ? ""
            : `  target p99 ≤ ${target} ms: ${measured.p99 <= target ? "PASS" : "MISS"}`;
        line(
          `GET ${pathname.length > 40 ? `${pathname.slice(0, 37)}…` : pathname}`,
          `${Math.round(measured.requestsPerSecond).toLocaleString("en-US")} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ${(bytes / 1024).toFixed(0)} KB${verdict}`,
        );
        line(
          "",
          `daemon CPU ${(measured.cpuMsPerRequest * 1000).toFixed(0)} µs/request, event-loop delay p99 ${measured.loopDelayP99.toFixed(1)} ms; load average ${await loadAverage()}`,
        );
        checks.expect(
          measured.non2xx === 0 && measured.errors === 0,
          () => `GET ${pathname}: ${measured.non2xx} non-2xx answers, ${measured.errors} errors`,
        );
      }
      // The lines above reuse a build for up to a second; these pay for one on every request.
      for (const base of ["/api/dags?limit=100&before=", "/?before="]) {
        const times = await distinctPages(url, base, 200);
        line(
          `GET ${base}<200 cursors>`,
          `one request at a time, each a new page (never reused): p50 ${times.p50.toFixed(1)} ms, p99 ${times.p99.toFixed(1)} ms`,
        );
      }
      console.log(`  load average after: ${await loadAverage()}`);
    } finally {
      await daemon.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
