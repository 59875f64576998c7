import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { Logger } from "../log/logger.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import { type Executor, type ExecutorEvent, keyString, type TaskKey, type TaskLaunch } from "./executor.ts";
import { MAX_LINE_BYTES, splitLines } from "./line-splitter.ts";
import { recordedOutcome, recordOutcome } from "./outcome-record.ts";
import { ResultScanner } from "./result-marker.ts";
import { LOG_FILE_MODE, makeLogDir, PieceMasker, pieceText, TaskLogWriter } from "./task-log.ts";
import { trySideFile } from "../runs/try-files.ts";
import { localExecutorNotes, unresolvedEnv } from "./unresolved-env.ts";
import { killGroup, killLeftover, PendingKills } from "./pending-kills.ts";

const BASE_ENV_NAMES = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL"];

export interface LocalExecutorOptions {
  /** Between SIGTERM and SIGKILL when a try is cancelled. */
  killGraceMs?: number;
  /** Masks every known secret in the task's output before it reaches the log file. */
  mask?: SecretMask;
  /** Where a log or outcome record that cannot be written is reported. */
  log?: Logger;
  /** How long output may keep flowing after the task's process group was killed (an escaped grandchild). */
  drainMs?: number;
  /** Where cancelled tries wait for their SIGKILL, so a daemon killed meanwhile leaves none running. */
  pendingKillsFile?: string;
}

/** A try in progress: its process, and the output it has written so far. */
interface Running {
  child: ChildProcess;
  cancelReason?: string;
  killTimer?: NodeJS.Timeout;
}

/**
 * Runs a pod task's command + args as a child process on this machine: no shell, a minimal base
 * environment under the task's `env`, the run's commit snapshot as working directory, output
 * piped line by line (bounded, secrets masked) into the try's log file as it is written. The image
 * cannot be honoured here; the log says so on its first line. When the task's main process exits,
 * what is left of its process group is killed, as when a container's PID 1 exits.
 */
export class LocalExecutor implements Executor {
  readonly name = "local" as const;
  readonly notes = ["local executor: task images are not used; commands run on the daemon's machine"];
  readonly notesFor = localExecutorNotes;
  readonly #listeners = new Set<(event: ExecutorEvent) => void>();
  readonly #running = new Map<string, Running>();
  readonly #killGraceMs: number;
  readonly #starting = new Map<string, Promise<void>>();
  readonly #o: LocalExecutorOptions;
  readonly #pendingKills: PendingKills | undefined;
  /** What an earlier daemon left to kill (see recover), killed before this one starts anything. */
  #reaped: Promise<void> = Promise.resolve();

  constructor(options: LocalExecutorOptions = {}) {
    this.#o = options;
    this.#pendingKills = options.pendingKillsFile
      ? new PendingKills(options.pendingKillsFile, options.log)
      : undefined;
    this.#killGraceMs = options.killGraceMs ?? 10_000;
  }

  subscribe(listener: (event: ExecutorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Kills the cancelled tries an earlier daemon on this state dir left in their grace period. */
  recover(): Promise<void> {
    this.#reaped = (this.#pendingKills?.reap() ?? Promise.resolve()).catch((error: unknown) =>
      this.#o.log?.warn({ err: error }, "could not kill the tries an earlier daemon cancelled"),
    );
    return this.#reaped;
  }

  async start(launch: TaskLaunch): Promise<void> {
    const id = keyString(launch);
    if (this.#running.has(id)) return;
    // Concurrent calls for one try share the first: a second one would find the first's pid file
    // and take the running task for a previous daemon's leftover (and kill it).
    const pending = this.#starting.get(id);
    if (pending) return pending;
    const starting = this.#start(launch, id).finally(() => this.#starting.delete(id));
    this.#starting.set(id, starting);
    return starting;
  }

  async #start(launch: TaskLaunch, id: string): Promise<void> {
    await this.#reaped;
    await makeLogDir(launch.logFile);
    const pidFile = trySideFile(launch.logFile, "pid");
    const recorded = await recordedOutcome(launch);
    if (recorded) {
      // Finished before a restart, but the scheduler may not have stored it: report it again.
      this.#emit(recorded);
      return;
    }
    const earlier = await readFile(pidFile, "utf8").catch(() => undefined);
    if (earlier !== undefined) {
      // Started by an earlier daemon process: its output cannot be re-attached nor its exit code
      // known, so stop what is left of it and report the try as interrupted; never start it twice.
      await killLeftover(Number(earlier), launch);
      await this.#report(
        {
          type: "failed",
          key: launch,
          exitCode: null,
          reason: "interrupted: the daemon restarted while this try ran (local processes cannot be adopted)",
        },
        launch,
      );
      return;
    }
    const [program, ...programArgs] = [...launch.command, ...launch.args];
    // No claim (pid file) yet, so nothing ran: a daemon killed after writing the header left
    // only that, and the try's log starts over instead of holding two headers.
    const log = await TaskLogWriter.open(
      launch.logFile,
      (error) => this.#o.log?.warn({ ...logFields(launch), err: error }, "could not write the task's log"),
      { fresh: true },
    );
    const unresolved = unresolvedEnv(launch.task);
    const header =
      `[updraft] local executor: image "${launch.task.image}" is not used; running ${JSON.stringify([program, ...programArgs])} in ${launch.snapshot}\n` +
      (unresolved.length
        ? `[updraft] local executor: not set (resolved only in a Kubernetes Pod): ${unresolved.join(", ")}\n`
        : "");
    await log.write(this.#o.mask ? this.#o.mask.mask(header) : header);
    if (!program) {
      await log.close();
      this.#emit({
        type: "failed",
        key: launch,
        exitCode: null,
        reason: "the task has no command: the local executor needs command (and args) to run",
      });
      return;
    }
    // Claim the try before the process exists: a crash between spawn and the pid write must not
    // let a restart start this try a second time.
    writeFileSync(pidFile, "", { mode: LOG_FILE_MODE });
    const child = spawn(program, programArgs, {
      cwd: launch.snapshot,
      env: { ...baseEnv(), ...launch.env, ...contextEnv(launch) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const entry: Running = { child };
    this.#running.set(id, entry);
    const scanner = new ResultScanner();
    const output = Promise.all(
      [child.stdout, child.stderr].map((stream) => this.#pump(stream, log, scanner)),
    );
    child.once("error", (error) => {
      this.#running.delete(id);
      void output.then(() => log.close());
      void this.#report(
        {
          type: "failed",
          key: launch,
          exitCode: null,
          reason: `could not start ${JSON.stringify(program)}: ${error.message}`,
        },
        launch,
      );
    });
    const pid = child.pid;
    if (pid === undefined) return;
    try {
      writeFileSync(pidFile, String(pid));
    } catch (error) {
      // The task may already have removed its own log folder: it runs on, and must still end.
      this.#o.log?.warn({ ...logFields(launch), err: error }, "could not record the task's pid");
    }
    this.#emit({ type: "running", key: launch, podName: null });
    child.once("exit", (code, signal) => {
      clearTimeout(entry.killTimer);
      if (entry.cancelReason) void this.#forgetKill(launch);
      // Background children would outlive the try (and hold its output open): the group goes too.
      killGroup(pid, "SIGKILL");
      // Still "running" until the outcome is on disk: a start() meanwhile must not see a leftover.
      void this.#drain(child, output)
        .then(() => log.close())
        .then(() => this.#finished(launch, code, signal, entry.cancelReason, scanner))
        .finally(() => this.#running.delete(id));
    });
  }

  /** Copies one output stream into the log, a bounded line piece at a time, waiting for the disk. */
  async #pump(stream: Readable | null, log: TaskLogWriter, scanner: ResultScanner): Promise<void> {
    if (!stream) return;
    const masker = new PieceMasker(this.#o.mask);
    try {
      for await (const piece of splitLines(stream as AsyncIterable<Buffer>, MAX_LINE_BYTES)) {
        const masked = masker.piece(piece);
        scanner.push(masked);
        await log.write(pieceText(masked, MAX_LINE_BYTES));
      }
    } catch {
      // The stream was cut (see #drain): what arrived is in the log.
    }
  }

  /** Waits for the output to end; a grandchild that left the group may hold it open, so not forever. */
  async #drain(child: ChildProcess, output: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve();
      }, this.#o.drainMs ?? 2_000);
    });
    await Promise.race([output, cut]);
    clearTimeout(timer);
    await output;
  }

  async cancel(key: TaskKey, reason: string): Promise<void> {
    const entry = this.#running.get(keyString(key));
    if (!entry?.child.pid) return;
    entry.cancelReason = reason;
    killGroup(entry.child.pid, "SIGTERM");
    entry.killTimer = setTimeout(
      () => entry.child.pid && killGroup(entry.child.pid, "SIGKILL"),
      this.#killGraceMs,
    );
    // Exited already (its end is being recorded): nothing is left to kill.
    if (entry.child.exitCode !== null || entry.child.signalCode !== null) return;
    try {
      await this.#pendingKills?.add(entry.child.pid, key);
    } catch (error) {
      this.#o.log?.warn({ ...logFields(key), err: error }, "could not record the cancelled try's pid");
    }
  }

  #forgetKill(key: TaskKey): Promise<void> {
    return (this.#pendingKills?.remove(key) ?? Promise.resolve()).catch((error: unknown) =>
      this.#o.log?.warn({ ...logFields(key), err: error }, "could not update the cancelled tries"),
    );
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  async #finished(
    launch: TaskLaunch,
    code: number | null,
    signal: NodeJS.Signals | null,
    cancelReason: string | undefined,
    scanner: ResultScanner,
  ): Promise<void> {
    if (cancelReason) {
      await this.#report({ type: "failed", key: launch, exitCode: code, reason: cancelReason }, launch);
    } else if (code !== 0) {
      await this.#report(
        {
          type: "failed",
          key: launch,
          exitCode: code,
          reason: signal ? `killed by ${signal}` : `exit code ${code}`,
        },
        launch,
      );
    } else {
      // Read from the output as it passed: the log file may be gone (the task can delete it).
      const extraction = scanner.extraction();
      await this.#report(
        extraction.ok
          ? { type: "finished", key: launch, exitCode: 0, result: extraction.result }
          : { type: "failed", key: launch, exitCode: 0, reason: extraction.reason },
        launch,
      );
    }
  }

  /** Records the outcome next to the log before telling the scheduler, so a restart can replay it. */
  async #report(event: ExecutorEvent, launch: TaskLaunch): Promise<void> {
    await recordOutcome(launch, event, this.#o.log);
    this.#emit(event);
  }

  #emit(event: ExecutorEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BASE_ENV_NAMES) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function logFields(launch: TaskKey) {
  return { dag: launch.dagId, run: launch.runId, task: launch.taskId, try: launch.try };
}

function contextEnv(launch: TaskLaunch): Record<string, string> {
  return {
    UPDRAFT_DAG_ID: launch.dagId,
    UPDRAFT_RUN_ID: launch.runId,
    UPDRAFT_TASK_ID: launch.taskId,
    UPDRAFT_TRY_NUMBER: String(launch.try),
    UPDRAFT_LOGICAL_DATE: launch.logicalDate,
  };
}
