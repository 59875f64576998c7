import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Executor, ExecutorEvent, TaskKey, TaskLaunch } from "../../src/executor/executor.ts";
import { MAX_RESULT_BYTES } from "../../src/executor/result-marker.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

/** What the contract asks an adapter to run; `makeLaunch` turns it into that executor's TaskLaunch. */
export interface ContractTask {
  key: TaskKey;
  /** Node.js source the task runs (`node -e <script>`, or the same inside a container). */
  script: string;
  /** The try's log file, inside the test's temp dir. */
  logFile: string;
  /** A scratch directory standing for the run's commit snapshot. */
  snapshot: string;
}

export type MakeExecutor = () => Executor | Promise<Executor>;
export type MakeLaunch = (task: ContractTask) => TaskLaunch;

/** The four fields of a TaskKey: executors may hand the whole launch back as the event's key. */
export function keyOf(key: TaskKey): TaskKey {
  return { dagId: key.dagId, runId: key.runId, taskId: key.taskId, try: key.try };
}

/** Every event an executor emitted, keys reduced to TaskKey fields. */
export class EventRecorder {
  readonly events: ExecutorEvent[] = [];
  readonly stop: () => void;

  constructor(executor: Executor) {
    this.stop = executor.subscribe((event) => this.events.push({ ...event, key: keyOf(event.key) }));
  }

  of(key: TaskKey): ExecutorEvent[] {
    const id = JSON.stringify(keyOf(key));
    return this.events.filter((event) => JSON.stringify(event.key) === id);
  }

  /** Waits for the try's first event of `type`. */
  waitFor(key: TaskKey, type: ExecutorEvent["type"]): Promise<ExecutorEvent> {
    return waitFor(`a "${type}" event for ${JSON.stringify(keyOf(key))}`, () =>
      this.of(key).find((event) => event.type === type),
    );
  }

  /** Waits for the try's finished or failed event. */
  outcome(key: TaskKey): Promise<ExecutorEvent> {
    return waitFor(
      `an outcome for ${JSON.stringify(keyOf(key))}`,
      () => this.of(key).find((event) => event.type !== "running"),
      { details: () => this.of(key) },
    );
  }
}

/** Reads a log file, "" while it does not exist yet. */
export async function readLog(file: string): Promise<string> {
  return readFile(file, "utf8").catch(() => "");
}

/** Waits until a log file holds `text` (the task wrote it while running). */
export function waitForLog(file: string, text: string): Promise<string> {
  return waitFor(`"${text}" in ${file}`, async () => {
    const log = await readLog(file);
    return log.includes(text) ? log : undefined;
  });
}

/** Script lines: print a line, then wait (polling) for a file to appear before going on. */
export function waitForFileScript(file: string): string {
  return `await new Promise((resolve) => { const timer = setInterval(() => { if (require("node:fs").existsSync(${JSON.stringify(file)})) { clearInterval(timer); resolve(); } }, 20); });`;
}

/** Wraps script lines so `await` works under `node -e` (CommonJS). */
export function asyncScript(...lines: string[]): string {
  return `(async () => {\n${lines.join("\n")}\n})();`;
}

const RESULT_LINE = (json: string) =>
  `process.stdout.write(${JSON.stringify(`::updraft-result::${json}\n`)});`;

/**
 * What every Executor must do (src/executor/executor.ts): running then exactly one outcome per try,
 * the result protocol with its limits, cancel with the caller's reason, idempotent start, replay
 * of a finished try after a restart (a new executor instance; the scheduler had not stored its
 * outcome, so nothing was acknowledged with `stored`) instead of a second run, and output
 * in the log file while the task runs. Tasks are Node.js scripts.
 */
export function describeExecutorContract(
  name: string,
  makeExecutor: MakeExecutor,
  makeLaunch: MakeLaunch,
): void {
  describe(`Executor contract: ${name}`, () => {
    const cleanup = useCleanup();

    let sequence = 0;
    /** A fresh executor (closed after the test) with its event recorder. */
    const executor = async () => {
      const instance = await makeExecutor();
      const recorder = new EventRecorder(instance);
      cleanup.defer(() => instance.close());
      cleanup.defer(recorder.stop);
      return { executor: instance, recorder };
    };
    /** A launch of `script` in its own temp dir (log file, snapshot, signal files). */
    const task = async (...lines: string[]) => {
      const dir = await cleanup.tempDir("executor-contract");
      sequence += 1;
      const key: TaskKey = {
        dagId: "contract",
        runId: `contract__manual__${sequence}`,
        taskId: "task",
        try: 1,
      };
      const launch = makeLaunch({
        key,
        script: asyncScript(...lines),
        logFile: path.join(dir, "logs", "try-1.log"),
        snapshot: dir,
      });
      return { key, launch };
    };

    it("reports running, then finished with exit code 0 and the published result", async () => {
      const { executor: ex, recorder } = await executor();
      const { key, launch } = await task(`console.log("working");`, RESULT_LINE('{"a":1}'));
      await ex.start(launch);
      const outcome = await recorder.outcome(key);
      expect(outcome).toEqual({
        type: "finished",
        key,
        exitCode: 0,
        result: { present: true, value: { a: 1 } },
      });
      expect(recorder.of(key).map((event) => event.type)).toEqual(["running", "finished"]);
    });

    it("reports no result when the task prints no result line", async () => {
      const { executor: ex, recorder } = await executor();
      const { key, launch } = await task(`console.log("nothing to publish");`);
      await ex.start(launch);
      expect(await recorder.outcome(key)).toEqual({
        type: "finished",
        key,
        exitCode: 0,
        result: { present: false },
      });
    });

    it("takes the last result line when there are several", async () => {
      const { executor: ex, recorder } = await executor();
      const { key, launch } = await task(RESULT_LINE('{"n":1}'), RESULT_LINE('{"n":2}'));
      await ex.start(launch);
      expect(await recorder.outcome(key)).toMatchObject({
        type: "finished",
        result: { present: true, value: { n: 2 } },
      });
    });

    it("reports a non-zero exit as failed with the exit code and a reason naming it", async () => {
      const { executor: ex, recorder } = await executor();
      const { key, launch } = await task(`console.log("about to fail");`, "process.exit(3);");
      await ex.start(launch);
      const outcome = await recorder.outcome(key);
      expect(outcome).toMatchObject({ type: "failed", key, exitCode: 3 });
      expect(outcome.type === "failed" && outcome.reason).toContain("exit code 3");
      expect(recorder.of(key).map((event) => event.type)).toEqual(["running", "failed"]);
    });

    it(`fails a try whose result is over ${MAX_RESULT_BYTES} bytes, naming the limit`, async () => {
      const { executor: ex, recorder } = await executor();
      const { key, launch } = await task(
        `process.stdout.write("::updraft-result::" + JSON.stringify("x".repeat(${MAX_RESULT_BYTES})) + "\\n");`,
      );
      await ex.start(launch);
      const outcome = await recorder.outcome(key);
      expect(outcome).toMatchObject({ type: "failed", key, exitCode: 0 });
      expect(outcome.type === "failed" && outcome.reason).toContain(`the limit is ${MAX_RESULT_BYTES} bytes`);
    });

    it("fails a try whose result is not valid JSON", async () => {
      const { executor: ex, recorder } = await executor();
      const { key, launch } = await task(RESULT_LINE("{not json"));
      await ex.start(launch);
      const outcome = await recorder.outcome(key);
      expect(outcome).toMatchObject({ type: "failed", key, exitCode: 0 });
      expect(outcome.type === "failed" && outcome.reason).toContain("not valid JSON");
    });

    it("ends a cancelled try as failed with exactly the caller's reason", async () => {
      const { executor: ex, recorder } = await executor();
      const dir = await cleanup.tempDir("executor-signal");
      const { key, launch } = await task(
        `console.log("waiting for a signal file");`,
        waitForFileScript(path.join(dir, "never-created")),
      );
      await ex.start(launch);
      await recorder.waitFor(key, "running");
      await waitForLog(launch.logFile, "waiting for a signal file");
      await ex.cancel(key, "cancelled by the contract test");
      const outcome = await recorder.outcome(key);
      expect(outcome).toMatchObject({ type: "failed", key, reason: "cancelled by the contract test" });
      expect(recorder.of(key).map((event) => event.type)).toEqual(["running", "failed"]);
    });

    it("starts a try once when start is called again while it runs", async () => {
      const { executor: ex, recorder } = await executor();
      const dir = await cleanup.tempDir("executor-signal");
      const release = path.join(dir, "release");
      const { key, launch } = await task(
        `console.log(["started", "once"].join(" "));`,
        waitForFileScript(release),
      );
      await ex.start(launch);
      await recorder.waitFor(key, "running");
      await waitForLog(launch.logFile, "started once");
      await ex.start(launch);
      await writeFile(release, "");
      expect(await recorder.outcome(key)).toMatchObject({ type: "finished", exitCode: 0 });
      expect(recorder.of(key).map((event) => event.type)).toEqual(["running", "finished"]);
      expect((await readLog(launch.logFile)).match(/^started once$/gm)).toEqual(["started once"]);
    });

    it("starts a try once when start is called twice at the same time", async () => {
      const { executor: ex, recorder } = await executor();
      const dir = await cleanup.tempDir("executor-signal");
      const release = path.join(dir, "release");
      const { key, launch } = await task(
        `console.log(["started", "once"].join(" "));`,
        waitForFileScript(release),
      );
      await Promise.all([ex.start(launch), ex.start(launch)]);
      await recorder.waitFor(key, "running");
      await waitForLog(launch.logFile, "started once");
      await writeFile(release, "");
      expect(await recorder.outcome(key)).toMatchObject({ type: "finished", exitCode: 0 });
      expect(recorder.of(key).map((event) => event.type)).toEqual(["running", "finished"]);
      expect((await readLog(launch.logFile)).match(/^started once$/gm)).toEqual(["started once"]);
    });

    it.each([
      [
        "finished",
        [RESULT_LINE('{"a":1}')],
        { type: "finished", exitCode: 0, result: { present: true, value: { a: 1 } } },
      ],
      ["failed", ["process.exit(4);"], { type: "failed", exitCode: 4 }],
    ])(
      "after a restart before its outcome was stored, reports a %s try's outcome again instead of running it again",
      async (_case, lines, expected) => {
        const first = await executor();
        const { key, launch } = await task(`console.log("ran");`, ...lines);
        await first.executor.start(launch);
        const outcome = await first.recorder.outcome(key);
        expect(outcome).toMatchObject({ ...expected, key });
        await first.executor.close();

        const second = await executor();
        await second.executor.start(launch);
        expect(await second.recorder.outcome(key)).toEqual(outcome);
        // The outcome once. An executor that adopts what ran (a Kubernetes Pod, its outcome's record
        // until the scheduler stored it) may first report it running, as it did run.
        const reported = second.recorder.of(key);
        expect(reported.filter((event) => event.type !== "running")).toEqual([outcome]);
        expect([[outcome.type], ["running", outcome.type]]).toContainEqual(
          reported.map((event) => event.type),
        );
        expect((await readLog(launch.logFile)).match(/^ran$/gm)).toEqual(["ran"]);
      },
    );

    it("writes the task's output to the log file while the task is still running", async () => {
      const { executor: ex, recorder } = await executor();
      const dir = await cleanup.tempDir("executor-signal");
      const release = path.join(dir, "release");
      const { key, launch } = await task(
        `console.log(["first line", "written before the task ends"].join(", "));`,
        waitForFileScript(release),
        `console.log(["last", "line"].join(" "));`,
      );
      await ex.start(launch);
      const log = await waitForLog(launch.logFile, "first line, written before the task ends");
      expect(log).not.toContain("last line");
      expect(recorder.of(key).map((event) => event.type)).toEqual(["running"]);
      expect(existsSync(release)).toBe(false);
      await writeFile(release, "");
      expect(await recorder.outcome(key)).toMatchObject({ type: "finished", exitCode: 0 });
      expect(await readLog(launch.logFile)).toContain("last line");
    });
  });
}
