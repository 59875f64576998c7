// kill -9 of a real `updraft run` process, then a restart on the same state dir: the run
// completes, no try is started twice, no record is lost, nothing of the killed daemon lives on.
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import {
  copyExampleDags,
  type DaemonProcess,
  identify,
  isAlive,
  logDir,
  type ProcessIdentity,
  type RunView,
  startDaemonProcess,
  task,
  POLL,
} from "./support/daemon-process.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { activeStateOnDisk } from "../support/active-state-on-disk.ts";

const HEADER = "[updraft] local executor";

/**
 * A DAG whose `first` task records its start in `eventsFile`, sleeps, prints a marker and records
 * its end; `second` runs after it. Try 1 sleeps `firstTryMs`, later tries `laterTryMs`.
 */
function crashDag(id: string, eventsFile: string, firstTryMs: number, laterTryMs: number): string {
  const script = [
    `const fs = require("node:fs");`,
    `const t = Number("{{ try_number }}");`,
    `fs.appendFileSync(${JSON.stringify(eventsFile)}, "start " + t + " " + process.pid + "\\n");`,
    `console.log("started try " + t);`,
    `setTimeout(() => {`,
    `  console.log("marker: first finished try " + t);`,
    `  fs.appendFileSync(${JSON.stringify(eventsFile)}, "end " + t + "\\n");`,
    `}, t === 1 ? ${firstTryMs} : ${laterTryMs});`,
  ].join(" ");
  return `import { dag, pod } from "updraft";
export default dag({
  id: ${JSON.stringify(id)},
  schedule: null,
  retries: 1,
  retryDelay: "1s",
  tasks: [
    pod({ id: "first", image: "node:20-alpine", command: ${JSON.stringify(["node", "-e", script])} }),
    pod({ id: "second", image: "node:20-alpine", dependsOn: ["first"], command: ["node", "-e", "console.log('second ran')"] }),
  ],
});
`;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** What the task printed: its log without the executor's header line. */
async function outputLines(logFile: string): Promise<string[]> {
  const lines = (await readFile(logFile, "utf8")).split("\n").filter(Boolean);
  return lines.filter((line) => !line.startsWith(HEADER));
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, "utf8"));
}

/** Each try of each task has exactly one log, started exactly once (one executor header line). */
async function expectEachTryStartedOnce(stateDir: string, run: RunView): Promise<void> {
  for (const instance of run.tasks) {
    const dir = logDir(stateDir, run.dagId, run.id, instance.id);
    const logs = (await readdir(dir).catch(() => [] as string[]))
      .filter((f) => /^try-\d+\.log$/.test(f))
      .sort();
    const expected = Array.from({ length: instance.try }, (_, i) => `try-${i + 1}.log`);
    expect(logs, `${instance.id}: log files`).toEqual(expected);
    for (const file of logs) {
      const text = await readFile(path.join(dir, file), "utf8");
      const headers = text.split("\n").filter((line) => line.startsWith(HEADER));
      expect(headers, `${instance.id}/${file} was started ${headers.length} times:\n${text}`).toHaveLength(1);
    }
  }
}

/**
 * The run ends up stored exactly once, in its DAG's history file, and every state file parses. The
 * API shows a finished run a moment before it is moved out of state.json, hence the wait.
 */
async function expectRunArchived(stateDir: string, dagId: string, runId: string): Promise<void> {
  const files = async () => ({
    active: await activeStateOnDisk(stateDir),
    history: (await readJson(path.join(stateDir, "runs", `${dagId}.json`))) as {
      runs: Array<{ id: string }>;
    },
  });
  const { active, history } = await waitFor(
    `run ${runId} archived`,
    async () => {
      const current = await files();
      return current.active.runs[runId] === undefined ? current : undefined;
    },
    { ...POLL, details: files },
  );
  expect(Object.keys(active.runs)).not.toContain(runId);
  expect(history.runs.filter((run) => run.id === runId)).toHaveLength(1);
}

/**
 * Processes of a killed daemon must not outlive it. A process that carries on by itself (say, a
 * DAG loader that missed the IPC disconnect) never goes away, so a bounded wait tells them apart.
 */
async function expectGone(processes: ProcessIdentity[], what: string): Promise<void> {
  const alive = async () => {
    const left: ProcessIdentity[] = [];
    for (const p of processes) if (await isAlive(p)) left.push(p);
    return left;
  };
  await waitFor(`${what} to exit`, async () => ((await alive()).length === 0 ? true : undefined), {
    ...POLL,
    timeoutMs: 10_000,
    details: async () =>
      Promise.all(
        (await alive()).map(async (p) => ({
          pid: p.pid,
          cmdline: (await readFile(`/proc/${p.pid}/cmdline`, "utf8").catch(() => "")).replaceAll("\0", " "),
        })),
      ),
  });
}

const finished = (daemon: DaemonProcess, runId: string): Promise<RunView> =>
  daemon.waitForRun(runId, "finished", (run) => run.state === "success" || run.state === "failed");

describe("kill -9 of the daemon and a restart on the same state dir", () => {
  const cleanup = useCleanup();

  async function setUp(dagId: string, firstTryMs: number, laterTryMs: number) {
    const { dir, dagsDir, stateDir } = await daemonFolders(cleanup, "daemon-crash", {});
    const eventsFile = path.join(dir, "events.txt");
    await writeFile(path.join(dagsDir, `${dagId}.ts`), crashDag(dagId, eventsFile, firstTryMs, laterTryMs));
    const options = { dagsDir, stateDir };
    const first = await startDaemonProcess(cleanup, options);
    await first.waitForDags([dagId]);
    return { options, eventsFile, first };
  }

  async function trigger(daemon: DaemonProcess, dagId: string): Promise<string> {
    const response = await daemon.post(`/api/dags/${dagId}/runs`, { conf: {} });
    expect(response.status, response.text).toBe(201);
    return response.body.runId as string;
  }

  it("mid-run: the interrupted try fails as interrupted, try 2 runs once, the run completes", async () => {
    const dagId = "crash_mid_run";
    // Try 1 sleeps far longer than a restart takes, so it is still running when the new daemon
    // comes up, which must stop it; try 2 sleeps ~3 s and then writes its marker.
    const { options, eventsFile, first } = await setUp(dagId, 60_000, 3_000);
    const runId = await trigger(first, dagId);
    await first.waitForRun(runId, "first is running", (run) => task(run, "first").state === "running");
    const firstLogs = logDir(options.stateDir, dagId, runId, "first");
    const try1Pid = Number(await readFile(path.join(firstLogs, "try-1.log.pid"), "utf8"));
    const try1 = await identify(try1Pid);
    expect(try1, `try 1 (pid ${try1Pid}) is running`).toBeDefined();
    if (!try1) return;
    // Task output reaches the log through the daemon (masked, in bounded pieces): the crash comes
    // once try 1's first line is on disk, as the log check at the end expects.
    await waitFor("try 1's first line in its log", async () =>
      (await outputLines(path.join(firstLogs, "try-1.log"))).includes("started try 1") ? true : undefined,
    );
    await first.kill9();
    const stored = await activeStateOnDisk<{ runs: Record<string, RunView> }>(options.stateDir);
    // The API shows a change while it is being written, so the file may still say queued.
    expect(["queued", "running"]).toContain(stored.runs[runId]?.tasks.find((t) => t.id === "first")?.state);

    const second = await startDaemonProcess(cleanup, options);
    const retrying = await second.waitForRun(
      runId,
      "first's try 2 started",
      (run) => task(run, "first").try >= 2 && task(run, "first").state !== "queued",
    );
    // Try 2 may only start once try 1 is gone for good.
    expect(await isAlive(try1), `try 1 (pid ${try1Pid}) still runs while try 2 runs`).toBe(false);
    expect(task(retrying, "first").tries[0]?.reason).toContain("interrupted");

    const run = await finished(second, runId);
    expect(run.state, JSON.stringify(run.tasks)).toBe("success");
    const firstTask = task(run, "first");
    expect(firstTask).toMatchObject({ state: "success", try: 2 });
    expect(firstTask.tries).toHaveLength(2);
    expect(firstTask.tries[0]).toMatchObject({
      try: 1,
      state: "failed",
      reason: expect.stringContaining("interrupted"),
    });
    expect(firstTask.tries[1]).toMatchObject({ try: 2, state: "success", exitCode: 0 });
    const [try1Record, try2Record] = firstTask.tries;
    expect(Date.parse(try1Record?.endedAt ?? "")).toBeLessThanOrEqual(
      Date.parse(try2Record?.startedAt ?? ""),
    );
    expect(task(run, "second")).toMatchObject({ state: "success", try: 1 });

    await expectEachTryStartedOnce(options.stateDir, run);
    const events = (await readFile(eventsFile, "utf8")).trim().split("\n");
    expect(events, "each try started once; try 1 never finished").toEqual([
      `start 1 ${try1Pid}`,
      expect.stringMatching(/^start 2 \d+$/),
      "end 2",
    ]);
    expect(await outputLines(path.join(firstLogs, "try-1.log"))).toEqual(["started try 1"]);
    expect(await outputLines(path.join(firstLogs, "try-2.log"))).toEqual([
      "started try 2",
      "marker: first finished try 2",
    ]);

    const listed = await second.request(`/api/dags/${dagId}/runs`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: runId, state: "success" })]);
    await expectRunArchived(options.stateDir, dagId, runId);
  });

  it("right after a trigger: the run stored before the 201 completes after the restart", async () => {
    const dagId = "crash_on_trigger";
    const { options, eventsFile, first } = await setUp(dagId, 500, 500);
    const runId = await trigger(first, dagId);
    await first.kill9();
    const startedBeforeKill = await exists(
      path.join(logDir(options.stateDir, dagId, runId, "first"), "try-1.log.pid"),
    );
    // 201 means stored: the run is in state.json whatever the daemon did afterwards.
    const stored = await activeStateOnDisk<{ runs: Record<string, RunView> }>(options.stateDir);
    expect(stored.runs[runId], "the triggered run is in state.json").toBeDefined();

    const second = await startDaemonProcess(cleanup, options);
    const run = await finished(second, runId);
    const context = `started before the kill: ${startedBeforeKill}; ${JSON.stringify(run.tasks)}`;
    expect(run.state, context).toBe("success");
    const firstTask = task(run, "first");
    expect(firstTask.state, context).toBe("success");
    if (firstTask.try === 2) expect(firstTask.tries[0]?.reason, context).toContain("interrupted");
    else expect(firstTask.try, context).toBe(1);
    expect(task(run, "second")).toMatchObject({ state: "success", try: 1 });
    await expectEachTryStartedOnce(options.stateDir, run);
    const starts = (await readFile(eventsFile, "utf8"))
      .split("\n")
      .filter((line) => line.startsWith("start "));
    expect(new Set(starts.map((line) => line.split(" ")[1])).size, `${context}\n${starts}`).toBe(
      starts.length,
    );

    const listed = await second.request(`/api/dags/${dagId}/runs`);
    expect(listed.body).toEqual([expect.objectContaining({ id: runId, state: "success" })]);
    await expectRunArchived(options.stateDir, dagId, runId);
  });

  it("leaves no process of the killed daemon behind (its DAG loaders exit with it)", async () => {
    const dir = await cleanup.tempDir("daemon-crash");
    // Killed as soon as it listens: its DAG loader processes are still starting up then.
    const daemon = await startDaemonProcess(cleanup, {
      dagsDir: await copyExampleDags(dir),
      stateDir: path.join(dir, "state"),
    });
    // On a loaded machine the loader pool may fork a moment after the daemon listens.
    const before = await waitFor("a DAG loader process beside the daemon", async () => {
      const helpers = await daemon.helpers();
      return helpers.length > 0 ? helpers : undefined;
    });
    await daemon.kill9();
    const after = await daemon.helpers();
    const helpers = [...before, ...after.filter((p) => !before.some((b) => b.pid === p.pid))];
    await expectGone(helpers, "the killed daemon's DAG loader processes");
  });
});
