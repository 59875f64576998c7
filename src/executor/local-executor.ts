import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../log.ts";
import { type Executor, type ExecutorEvent, keyString, type TaskKey, type TaskLaunch } from "./executor.ts";
import { recordedOutcome, recordOutcome } from "./outcome-record.ts";
import { extractResult } from "./result-marker.ts";

const BASE_ENV_NAMES = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "SHELL"];

export interface LocalExecutorOptions {
  /** Between SIGTERM and SIGKILL when a try is cancelled. */
  killGraceMs?: number;
  /** Where a try's outcome that could not be recorded is reported. */
  log?: Pick<Logger, "warn">;
}

/**
 * Runs a pod task's command + args as a child process on this machine: no shell, a minimal base
 * environment under the task's `env`, the run's commit snapshot as working directory, output
 * appended to the try's log file as it is written. The image cannot be honoured here; the log
 * says so on its first line.
 */
export class LocalExecutor implements Executor {
  readonly name = "local" as const;
  readonly #listeners = new Set<(event: ExecutorEvent) => void>();
  readonly #running = new Map<
    string,
    { child: ChildProcess; cancelReason?: string; killTimer?: NodeJS.Timeout }
  >();
  readonly #killGraceMs: number;
  readonly #starting = new Map<string, Promise<void>>();

  readonly #log: Pick<Logger, "warn"> | undefined;

  constructor(options: LocalExecutorOptions = {}) {
    this.#killGraceMs = options.killGraceMs ?? 10_000;
    this.#log = options.log;
  }

  subscribe(listener: (event: ExecutorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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
    await mkdir(path.dirname(launch.logFile), { recursive: true });
    const pidFile = `${launch.logFile}.pid`;
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
    const log = openSync(launch.logFile, "a");
    writeSync(
      log,
      `[updraft] local executor: image "${launch.task.image}" is not used; running ${JSON.stringify([program, ...programArgs])} in ${launch.snapshot}\n`,
    );
    if (!program) {
      closeSync(log);
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
    writeFileSync(pidFile, "");
    let child: ChildProcess;
    try {
      child = spawn(program, programArgs, {
        cwd: launch.snapshot,
        env: { ...baseEnv(), ...launch.env, ...contextEnv(launch) },
        stdio: ["ignore", log, log],
        detached: true,
      });
    } finally {
      closeSync(log);
    }
    const entry: { child: ChildProcess; cancelReason?: string; killTimer?: NodeJS.Timeout } = { child };
    this.#running.set(id, entry);
    child.once("error", (error) => {
      this.#running.delete(id);
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
    if (child.pid === undefined) return;
    writeFileSync(pidFile, String(child.pid));
    this.#emit({ type: "running", key: launch, podName: null });
    child.once("exit", (code, signal) => {
      clearTimeout(entry.killTimer);
      // Still "running" until the outcome is on disk: a start() meanwhile must not see a leftover.
      void this.#finished(launch, code, signal, entry.cancelReason).finally(() => this.#running.delete(id));
    });
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
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  async #finished(
    launch: TaskLaunch,
    code: number | null,
    signal: NodeJS.Signals | null,
    cancelReason: string | undefined,
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
      const extraction = await extractResult(launch.logFile);
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
    await recordOutcome(launch, event, this.#log);
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

function contextEnv(launch: TaskLaunch): Record<string, string> {
  return {
    UPDRAFT_DAG_ID: launch.dagId,
    UPDRAFT_RUN_ID: launch.runId,
    UPDRAFT_TASK_ID: launch.taskId,
    UPDRAFT_TRY_NUMBER: String(launch.try),
    UPDRAFT_LOGICAL_DATE: launch.logicalDate,
  };
}

/** Kills a process group left by an earlier daemon, if the pid still belongs to this very try. */
async function killLeftover(pid: number, launch: TaskLaunch): Promise<void> {
  const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
  const mine = [
    `UPDRAFT_RUN_ID=${launch.runId}`,
    `UPDRAFT_TASK_ID=${launch.taskId}`,
    `UPDRAFT_TRY_NUMBER=${launch.try}`,
  ];
  if (mine.every((entry) => environ.split("\0").includes(entry))) killGroup(pid, "SIGKILL");
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
