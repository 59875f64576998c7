import { readFile } from "node:fs/promises";
import type { Logger } from "../log/logger.ts";
import { writeFileDurably } from "../store/durable-write.ts";
import { keyString, type TaskKey } from "./executor.ts";

/** A cancelled try's process group, signalled SIGTERM and waiting out its grace period. */
interface PendingKill extends TaskKey {
  pid: number;
}

/**
 * The process groups of cancelled tries that have not exited yet, kept in a file: the SIGKILL
 * after the grace period is a timer of this daemon, and a daemon killed meanwhile (kill -9) would
 * leave a task that ignores SIGTERM running for good. The next daemon kills what is listed.
 */
export class PendingKills {
  readonly #file: string;
  readonly #log: Logger | undefined;
  readonly #pending = new Map<string, PendingKill>();
  #writes: Promise<void> = Promise.resolve();

  constructor(file: string, log?: Logger) {
    this.#file = file;
    this.#log = log;
  }

  /** Lists a signalled try, durably (resolves once it is on disk). */
  add(pid: number, key: TaskKey): Promise<void> {
    const { dagId, runId, taskId } = key;
    this.#pending.set(keyString(key), { pid, dagId, runId, taskId, try: key.try });
    return this.#save();
  }

  /** Its process exited: nothing to kill any more. */
  remove(key: TaskKey): Promise<void> {
    return this.#pending.delete(keyString(key)) ? this.#save() : Promise.resolve();
  }

  /** At start-up: SIGKILLs the groups an earlier daemon left listed (if still that try's), then forgets them. */
  async reap(): Promise<void> {
    const text = await readFile(this.#file, "utf8").catch(() => "[]");
    let listed: PendingKill[] = [];
    try {
      listed = JSON.parse(text) as PendingKill[];
    } catch (error) {
      this.#log?.warn({ err: error, file: this.#file }, "unreadable list of cancelled tries; ignored");
    }
    for (const entry of Array.isArray(listed) ? listed : []) await killLeftover(entry.pid, entry);
    if (listed.length > 0) await this.#save();
  }

  #save(): Promise<void> {
    const text = JSON.stringify([...this.#pending.values()]);
    // One write at a time: they share a temp file.
    const write = this.#writes.then(() => writeFileDurably(this.#file, text));
    this.#writes = write.catch(() => undefined);
    return write;
  }
}

/** Kills a process group left by an earlier daemon, if the pid still belongs to this very try. */
export async function killLeftover(pid: number, key: Omit<TaskKey, "dagId">): Promise<void> {
  const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
  const mine = [
    `UPDRAFT_RUN_ID=${key.runId}`,
    `UPDRAFT_TASK_ID=${key.taskId}`,
    `UPDRAFT_TRY_NUMBER=${key.try}`,
  ];
  if (mine.every((entry) => environ.split("\0").includes(entry))) killGroup(pid, "SIGKILL");
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
