/**
 * Issue 11 points 2 and 12: whatever a local task prints, deletes or leaves behind, the executor
 * (and with it the daemon) lives on, the try ends, the log holds bounded lines with every secret
 * masked, and nothing of the task's process group outlives it.
 */
import { mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { dagSchema, type TaskDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { TaskKey, TaskLaunch } from "../../src/executor/executor.ts";
import { LocalExecutor } from "../../src/executor/local-executor.ts";
import { MAX_RESULT_BYTES } from "../../src/executor/result-marker.ts";
import { createLogger } from "../../src/log/logger.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { longestLine, rssSampler, slice } from "../support/file-slices.ts";
import { killAllWith, pidsWith, uniqueSleepSeconds } from "../support/process-table.ts";
import { waitFor } from "../support/wait-for.ts";
import { EventRecorder, readLog } from "./executor-contract.ts";

const MIB = 1024 * 1024;
const CUT_MARKER = `[updraft] line cut at ${MIB} bytes`;

function taskDefinition(): TaskDefinition {
  const dag = dagSchema.parse({
    kind: "dag",
    id: "output",
    schedule: null,
    tasks: [{ kind: "pod", id: "task", image: "busybox:1.36" }],
  });
  const [task] = dag.tasks;
  if (!task) throw new Error("fixture DAG has no task");
  return task;
}

describe("local task output and leftovers", () => {
  const cleanup = useCleanup();

  let sequence = 0;
  const launch = async (command: string[]): Promise<TaskLaunch> => {
    const dir = await cleanup.tempDir("local-output");
    sequence += 1;
    return {
      dagId: "output",
      runId: `output__manual__${sequence}`,
      taskId: "task",
      try: 1,
      task: taskDefinition(),
      command,
      args: [],
      env: {},
      snapshot: dir,
      logFile: path.join(dir, "logs", "output", `run-${sequence}`, "task", "try-1.log"),
      logicalDate: "2026-05-01T10:00:00.000Z",
    };
  };
  const keyOf = (run: TaskLaunch): TaskKey => ({
    dagId: run.dagId,
    runId: run.runId,
    taskId: run.taskId,
    try: run.try,
  });
  const logLines: string[] = [];
  const executor = (mask = new SecretMask()) => {
    const log = createLogger({
      secrets: [],
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          logLines.push(chunk.toString());
          callback();
        },
      }),
    });
    const instance = new LocalExecutor({ killGraceMs: 1_000, mask, log });
    const recorder = new EventRecorder(instance);
    cleanup.defer(() => instance.close());
    return { executor: instance, recorder };
  };

  it("ends the try of a task that deletes its own log and exits 0, with the result it printed", async () => {
    const { executor: ex, recorder } = executor();
    const run = await launch([]);
    run.command = ["sh", "-c", `echo '::updraft-result::{"a":1}'; rm -f "$0"; exit 0`, run.logFile];
    await ex.start(run);
    expect(await recorder.outcome(keyOf(run))).toEqual({
      type: "finished",
      key: keyOf(run),
      exitCode: 0,
      result: { present: true, value: { a: 1 } },
    });
  });

  it("starts a try's log over when a killed daemon left only its header (no claim, so nothing ran)", async () => {
    const { executor: ex, recorder } = executor();
    const run = await launch(["sh", "-c", "echo ran once"]);
    // What a daemon killed between writing the header and claiming the try leaves behind.
    await mkdir(path.dirname(run.logFile), { recursive: true });
    await writeFile(run.logFile, '[updraft] local executor: image "busybox:1.36" is not used; running […]\n');
    await ex.start(run);
    expect(await recorder.outcome(keyOf(run))).toMatchObject({ type: "finished", exitCode: 0 });
    const text = await readLog(run.logFile);
    expect(text.split("\n").filter((line) => line.startsWith("[updraft] local executor:"))).toHaveLength(1);
    expect(text).toContain("ran once");
  });

  it("ends the try of a task that deletes its whole log folder, and logs that the outcome could not be recorded", async () => {
    const { executor: ex, recorder } = executor();
    const run = await launch([]);
    run.command = ["sh", "-c", `rm -rf "$0"; exit 0`, path.dirname(run.logFile)];
    await ex.start(run);
    expect(await recorder.outcome(keyOf(run))).toMatchObject({ type: "finished", exitCode: 0 });
    const warning = await waitFor("a log line about the outcome record", () =>
      logLines.find((line) => line.includes("could not record the outcome")),
    );
    expect(warning).toContain(run.runId);
    expect(warning).toContain("ENOENT");
  });

  it("cuts a 600 MB line without a newline into 1 MiB pieces marked in the log, with bounded memory", async () => {
    const { executor: ex, recorder } = executor(new SecretMask(["never-printed-secret"]));
    const run = await launch([
      "sh",
      "-c",
      "head -c 600000000 /dev/zero | tr '\\0' a; echo; echo after the long line",
    ]);
    const rss = rssSampler();
    cleanup.defer(rss.stop);
    await ex.start(run);
    expect(await recorder.outcome(keyOf(run))).toEqual({
      type: "finished",
      key: keyOf(run),
      exitCode: 0,
      result: { present: false },
    });
    rss.stop();
    expect(rss.growth(), "RSS growth while the task printed 600 MB").toBeLessThan(128 * MIB);
    expect(await longestLine(run.logFile)).toBeLessThanOrEqual(MIB);
    const lines = (await slice(run.logFile, 3 * MIB)).split("\n");
    expect(lines[1]).toBe("a".repeat(MIB));
    expect(lines[2]).toBe(CUT_MARKER);
    expect(lines[3]).toBe("a".repeat(MIB));
    expect(lines[4]).toBe(CUT_MARKER);
    // Every byte is kept, in pieces: 572 full ones and the rest.
    expect((await stat(run.logFile)).size).toBeGreaterThan(600_000_000);
    expect(await slice(run.logFile, 100, -100)).toMatch(/aaaa\nafter the long line\n$/);
  }, 180_000);

  it("fails only the try whose result line is over the limit, naming it", async () => {
    const { executor: ex, recorder } = executor();
    const big = await launch([
      "sh",
      "-c",
      `printf '::updraft-result::"'; head -c ${2 * MIB} /dev/zero | tr '\\0' x; echo '"'`,
    ]);
    const small = await launch(["sh", "-c", `echo '::updraft-result::{"ok":true}'`]);
    await Promise.all([ex.start(big), ex.start(small)]);
    const failed = await recorder.outcome(keyOf(big));
    expect(failed).toMatchObject({ type: "failed", exitCode: 0 });
    expect(failed.type === "failed" && failed.reason).toContain(`the limit is ${MAX_RESULT_BYTES} bytes`);
    expect(await recorder.outcome(keyOf(small))).toMatchObject({
      type: "finished",
      result: { present: true, value: { ok: true } },
    });
  });

  it("masks a secret the task prints, raw and base64, before it reaches the log file", async () => {
    const secret = "ghp_task_printed_this_secret_42";
    const { executor: ex, recorder } = executor(new SecretMask([secret]));
    const encoded = Buffer.from(secret).toString("base64");
    const run = await launch([
      "sh",
      "-c",
      `echo "token=${secret}"; echo "basic ${encoded}" >&2; printf 'no newline ${secret}'`,
    ]);
    await ex.start(run);
    expect(await recorder.outcome(keyOf(run))).toMatchObject({ type: "finished" });
    const log = await readLog(run.logFile);
    expect(log).not.toContain(secret);
    expect(log).not.toContain(encoded);
    expect(log).toContain("token=***");
    expect(log).toContain("basic ***");
    expect(log).toContain("no newline ***");
  });

  it("masks a secret that straddles the 1 MiB cut of a long line (neither half reaches the log)", async () => {
    const secret = "ghp_secret_across_the_line_cut_77";
    const { executor: ex, recorder } = executor(new SecretMask([secret]));
    // The secret starts 10 bytes before the cut: its first 10 characters end piece one.
    const run = await launch([
      "node",
      "-e",
      `process.stdout.write("x".repeat(${MIB - 10}) + process.argv[1] + " end\\n")`,
      secret,
    ]);
    await ex.start(run);
    expect(await recorder.outcome(keyOf(run))).toMatchObject({ type: "finished", exitCode: 0 });
    const log = await readLog(run.logFile);
    expect(log.includes(CUT_MARKER), "the line was cut").toBe(true);
    expect(log.includes(secret.slice(0, 10)), "the secret's first 10 characters are in the log").toBe(false);
    expect(log.includes(secret.slice(10)), "the rest of the secret is in the log").toBe(false);
    expect(log.endsWith("*** end\n"), `log ends ${JSON.stringify(log.slice(-80))}`).toBe(true);
  });

  it("kills the background children a task leaves when its main process exits", async () => {
    const marker = uniqueSleepSeconds();
    cleanup.defer(() => killAllWith(marker));
    const { executor: ex, recorder } = executor();
    const run = await launch(["sh", "-c", `sleep ${marker} & echo done`]);
    await ex.start(run);
    expect(await recorder.outcome(keyOf(run))).toMatchObject({ type: "finished", exitCode: 0 });
    expect(await readLog(run.logFile)).toContain("done");
    await waitFor(
      `no "sleep ${marker}" left`,
      async () => ((await pidsWith(marker)).length === 0 ? true : undefined),
      {
        timeoutMs: 5_000,
        details: () => pidsWith(marker),
      },
    );
  });

  it("creates the log file 0600 and its folders 0700", async () => {
    const { executor: ex, recorder } = executor();
    const run = await launch(["sh", "-c", "echo hello"]);
    await ex.start(run);
    await recorder.outcome(keyOf(run));
    expect((await stat(run.logFile)).mode & 0o777).toBe(0o600);
    expect((await stat(`${run.logFile}.outcome.json`)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(run.logFile))).mode & 0o777).toBe(0o700);
  });
});
