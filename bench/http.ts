/**
 * `npm run bench:http`: HTTP figures of a real daemon with 10,000 finished runs in state (20 DAGs
 * × 500), printed once. autocannon (a separate process, so it does not share the daemon's event
 * loop) drives 50 connections for 10 s per path against the daemon on 127.0.0.1:
 * `GET /api/status`, `GET /api/dags`, `GET /` and `GET /api/runs/:id`; requests/s, p50 and p99
 * latency, and PASS/MISS against the targets (/api/status p99 ≤ 20 ms, / p99 ≤ 100 ms); also the
 * DAG and run pages, which are rendered on every request. Then the same with 10,000 DAGs and
 * 100,000 finished runs (bench/http-many-dags.ts).
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
import { scheduledRunId } from "../src/scheduler/run-planner.ts";
import { autocannon, type Figures } from "./lib/autocannon.ts";
import { Checks, line } from "./lib/figures.ts";
import { finishedRuns } from "./lib/finished-runs.ts";
import { manyDagsFigures } from "./http-many-dags.ts";
import { taskChainLines } from "./lib/task-chain.ts";

const DAGS = 20;
const RUNS_PER_DAG = 500;
const TASKS = 4;
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const TARGETS: Record<string, number> = { "/api/status": 20, "/": 100 };

const dagId = (i: number) => `bench_${String(i).padStart(2, "0")}`;

function dagModule(id: string): string {
  const tasks = taskChainLines(TASKS);
  return [
    'import { dag, pod } from "updraft";',
    `export default dag({ id: ${JSON.stringify(id)}, schedule: "@daily", startDate: "2026-01-01", tasks: [`,
    ...tasks,
    "] });",
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-http-"));
  const checks = new Checks();
  try {
    const dagsDir = path.join(dir, "dags");
    const stateDir = path.join(dir, "state");
    await mkdir(dagsDir, { recursive: true });
    await mkdir(path.join(stateDir, "runs"), { recursive: true });
    for (let i = 0; i < DAGS; i++) {
      await writeFile(path.join(dagsDir, `${dagId(i)}.ts`), dagModule(dagId(i)));
      await writeFile(
        path.join(stateDir, "runs", `${dagId(i)}.json`),
        JSON.stringify({ runs: finishedRuns(dagId(i), dagsDir, RUNS_PER_DAG, TASKS) }),
      );
    }
    const { values } = readFlags(
      ["--dags", dagsDir, "--state-dir", stateDir, "--port", "0", "--keep-runs", String(RUNS_PER_DAG)],
      {},
      RUN_FLAGS,
    );
    // Request lines are formatted as in production, then dropped instead of written to stdout.
    const log = createLogger({ secrets: [], destination: new Writable({ write: (_c, _e, done) => done() }) });
    const daemon = createDaemon(runConfigFrom(values, {}), log, {}, { env: process.env, clock: systemClock });
    await daemon.start();
    try {
      const url = daemon.url();
      const deadline = Date.now() + 60_000;
      while ((await fetch(`${url}/readyz`)).status !== 200) {
        if (Date.now() > deadline) throw new Error("the daemon did not load its DAGs within 60 s");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const all = (await (await fetch(`${url}/api/runs?limit=1000`)).json()) as Array<{ id: string }>;
      const oneDag = (await (await fetch(`${url}/api/dags/${dagId(7)}/runs?limit=1000`)).json()) as unknown[];
      checks.expect(all.length === 1000, () => `/api/runs?limit=1000 listed ${all.length} runs`);
      checks.expect(oneDag.length === RUNS_PER_DAG, () => `${dagId(7)} has ${oneDag.length} runs in the API`);
      const runId = scheduledRunId(dagId(11), new Date(Date.parse("2025-01-01T00:00:00Z") + 250 * 3_600_000));

      console.log(
        `bench:http — ${DAGS} DAGs × ${RUNS_PER_DAG} finished runs = ${(DAGS * RUNS_PER_DAG).toLocaleString("en-US")} runs in state; ` +
          `autocannon ${CONNECTIONS} connections × ${SECONDS} s per path on ${url}`,
      );
      console.log(`  load average before: ${(await readFile("/proc/loadavg", "utf8")).trim()}`);
      const figures: Figures[] = [];
      // `/` may reuse a rendering for up to a second; the DAG and run pages render every time.
      const paths = [
        "/api/status",
        "/api/dags",
        "/",
        `/dags/${dagId(7)}`,
        `/runs/${runId}`,
        `/api/runs/${runId}`,
      ];
      for (const pathname of paths) {
        const probe = await fetch(url + pathname);
        await probe.arrayBuffer();
        checks.expect(probe.status === 200, () => `GET ${pathname} answered ${probe.status}`);
        const measured = {
          ...(await autocannon(url, pathname, { connections: CONNECTIONS, seconds: SECONDS })),
          status: probe.status,
        };
        figures.push(measured);
        const target = TARGETS[pathname];
        const verdict =
          target === undefined
            ? ""
            : `  target p99 ≤ ${target} ms: ${measured.p99 <= target ? "PASS" : "MISS"}`;
        line(
          `GET ${pathname.length > 40 ? `${pathname.slice(0, 37)}…` : pathname}`,
          `${Math.round(measured.requestsPerSecond).toLocaleString("en-US")} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms${verdict}`,
        );
        line(
          "",
          `daemon CPU ${(measured.cpuMsPerRequest * 1000).toFixed(0)} µs/request, its event-loop delay p99 ${measured.loopDelayP99.toFixed(1)} ms`,
        );
        checks.expect(
          measured.non2xx === 0 && measured.errors === 0,
          () => `GET ${pathname}: ${measured.non2xx} non-2xx answers, ${measured.errors} errors`,
        );
      }
      console.log(`  load average after: ${(await readFile("/proc/loadavg", "utf8")).trim()}`);
    } finally {
      await daemon.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await manyDagsFigures(checks);
  if (checks.failures.length > 0) {
    console.log(`FAILED checks:\n  ${checks.failures.join("\n  ")}`);
    process.exitCode = 1;
  }
}

await main();
