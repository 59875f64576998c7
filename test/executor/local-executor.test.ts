import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TaskKey, TaskLaunch } from "../../src/executor/executor.ts";
import { LocalExecutor } from "../../src/executor/local-executor.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import {
  type ContractTask,
  describeExecutorContract,
  EventRecorder,
  readLog,
  waitForLog,
} from "./executor-contract.ts";
import { LOGICAL_DATE, nodeLaunch } from "./node-launch.ts";
import { podTaskIn } from "../support/pod-task.ts";

const IMAGE = "busybox:1.36";
const BASE_ENV_NAMES = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL"];

const launchOf = (task: ContractTask, fields: Partial<TaskLaunch> = {}): TaskLaunch =>
  nodeLaunch(task, podTaskIn("contract", { image: IMAGE }), fields);

describeExecutorContract(
  "LocalExecutor",
  () => new LocalExecutor({ killGraceMs: 2_000 }),
  (task) => launchOf(task),
);

describe("LocalExecutor", () => {
  const cleanup = useCleanup();

  const key: TaskKey = { dagId: "local", runId: "local__manual__1", taskId: "task", try: 1 };
  /** A launch of a Node.js script in a fresh temp dir; `fields` override the launch. */
  const launch = async (script: string, fields: Partial<TaskLaunch> = {}) => {
    const dir = await cleanup.tempDir("local-executor");
    return launchOf({ key, script, logFile: path.join(dir, "logs", "try-1.log"), snapshot: dir }, fields);
  };
  const executor = (options: { killGraceMs?: number } = {}) => {
    const instance = new LocalExecutor(options);
    const recorder = new EventRecorder(instance);
    cleanup.defer(() => instance.close());
    return { executor: instance, recorder };
  };
  const publish = (expression: string) =>
    `process.stdout.write("::updraft-result::" + JSON.stringify(${expression}) + "\\n");`;
  /** Runs a launch to its outcome and returns the result value it published. */
  const resultOf = async (run: TaskLaunch) => {
    const { executor: ex, recorder } = executor();
    await ex.start(run);
    const outcome = await recorder.outcome(key);
    if (outcome.type !== "finished" || !outcome.result.present)
      throw new Error(`expected a published result, got ${JSON.stringify(outcome)}`);
    return outcome.result.value;
  };

  it("passes arguments to the program as they are, without a shell", async () => {
    const args = ["$HOME", "a b", "*", "`id`", "; echo injected", "'quoted'"];
    const run = await launch(publish("process.argv.slice(1)"), { args });
    expect(await resultOf(run)).toEqual(args);
  });

  it("gives the task the minimal base env, its own env and the UPDRAFT_* context, and no daemon secret", async () => {
    const saved = process.env.UPDRAFT_GIT_TOKEN;
    process.env.UPDRAFT_GIT_TOKEN = "ghp_daemon_secret_never_for_tasks";
    cleanup.defer(() => {
      if (saved === undefined) delete process.env.UPDRAFT_GIT_TOKEN;
      else process.env.UPDRAFT_GIT_TOKEN = saved;
    });
    const run = await launch(publish("process.env"), {
      env: { GREETING: "hello", LANG: "task-lang", UPDRAFT_RUN_ID: "spoofed-by-the-task" },
    });
    const base = Object.fromEntries(
      BASE_ENV_NAMES.flatMap((name) => {
        const value = process.env[name];
        return value === undefined ? [] : [[name, value]];
      }),
    );
    expect(await resultOf(run)).toEqual({
      ...base,
      GREETING: "hello",
      LANG: "task-lang",
      UPDRAFT_DAG_ID: "local",
      UPDRAFT_RUN_ID: "local__manual__1",
      UPDRAFT_TASK_ID: "task",
      UPDRAFT_TRY_NUMBER: "1",
      UPDRAFT_LOGICAL_DATE: LOGICAL_DATE,
    });
  });

  it("runs the task in the run's snapshot directory", async () => {
    const run = await launch(publish("process.cwd()"));
    expect(await resultOf(run)).toBe(await realpath(run.snapshot));
  });

  it("says on the log's first line that the image is not used", async () => {
    const run = await launch(`console.log("task output");`, { args: ["first-arg"] });
    await resultOf(run).catch(() => undefined);
    const lines = (await readLog(run.logFile)).split("\n");
    expect(lines[0]).toBe(
      `[updraft] local executor: image "${IMAGE}" is not used; running ${JSON.stringify([...run.command, "first-arg"])} in ${run.snapshot}`,
    );
    expect(lines[1]).toBe("task output");
  });

  it("sends SIGTERM, then SIGKILL after the grace period, to a task that ignores SIGTERM", async () => {
    const { executor: ex, recorder } = executor({ killGraceMs: 500 });
    const run = await launch(
      [
        `process.on("SIGTERM", () => console.log("got SIGTERM, ignoring it"));`,
        `console.log("ready");`,
        "setInterval(() => {}, 1000);",
      ].join("\n"),
    );
    await ex.start(run);
    await recorder.waitFor(key, "running");
    await waitForLog(run.logFile, "ready");
    const pid = Number(await readFile(`${run.logFile}.pid`, "utf8"));
    await ex.cancel(key, "timed out after 1s");
    expect(await recorder.outcome(key)).toEqual({
      type: "failed",
      key,
      exitCode: null,
      reason: "timed out after 1s",
    });
    expect(await readLog(run.logFile)).toContain("got SIGTERM, ignoring it");
    expect(isAlive(pid)).toBe(false);
  });

  it('fails a try whose command does not exist with "could not start"', async () => {
    const { executor: ex, recorder } = executor();
    const run = await launch("", { command: ["updraft-no-such-command"], args: ["x"] });
    await ex.start(run);
    expect(await recorder.outcome(key)).toEqual({
      type: "failed",
      key,
      exitCode: null,
      reason: 'could not start "updraft-no-such-command": spawn updraft-no-such-command ENOENT',
    });
    expect(recorder.of(key).map((event) => event.type)).toEqual(["failed"]);
  });

  describe("a try started by a previous daemon (its pid file exists)", () => {
    const interrupted =
      "interrupted: the daemon restarted while this try ran (local processes cannot be adopted)";
    /** A detached process standing for the previous daemon's task, with `env`. */
    const leftover = (env: Record<string, string>): ChildProcess => {
      const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000);"], {
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: "ignore",
        detached: true,
      });
      cleanup.defer(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      });
      return child;
    };
    const writePidFile = async (run: TaskLaunch, child: ChildProcess) => {
      await mkdir(path.dirname(run.logFile), { recursive: true });
      await writeFile(`${run.logFile}.pid`, String(child.pid));
      // The process must have exec'd node (its environ is the task's) before the executor looks.
      await waitFor("the leftover process's environment", async () => {
        const environ = await readFile(`/proc/${child.pid}/environ`, "utf8").catch(() => "");
        return environ.includes("PATH=") ? true : undefined;
      });
    };

    it('kills the leftover process of that try and reports the try "interrupted", without running it', async () => {
      const run = await launch(`console.log("this must not run");`);
      const child = leftover({
        UPDRAFT_RUN_ID: key.runId,
        UPDRAFT_TASK_ID: key.taskId,
        UPDRAFT_TRY_NUMBER: "1",
      });
      const exited = once(child, "exit");
      await writePidFile(run, child);
      const { executor: ex, recorder } = executor();
      await ex.start(run);
      expect(await recorder.outcome(key)).toEqual({
        type: "failed",
        key,
        exitCode: null,
        reason: interrupted,
      });
      expect(await exited).toEqual([null, "SIGKILL"]);
      expect(recorder.of(key).map((event) => event.type)).toEqual(["failed"]);
      expect(await readLog(run.logFile)).not.toContain("this must not run");
    });

    it("leaves a process that is not that try alone (the pid was reused) and still reports it interrupted", async () => {
      const run = await launch(`console.log("this must not run");`);
      const child = leftover({
        UPDRAFT_RUN_ID: key.runId,
        UPDRAFT_TASK_ID: key.taskId,
        UPDRAFT_TRY_NUMBER: "2",
      });
      await writePidFile(run, child);
      const { executor: ex, recorder } = executor();
      await ex.start(run);
      expect(await recorder.outcome(key)).toEqual({
        type: "failed",
        key,
        exitCode: null,
        reason: interrupted,
      });
      expect(child.pid !== undefined && isAlive(child.pid)).toBe(true);
      expect(await readLog(run.logFile)).not.toContain("this must not run");
    });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
