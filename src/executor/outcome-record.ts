import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";
import type { ExecutorEvent, TaskLaunch } from "./executor.ts";
import { LOG_FILE_MODE } from "./task-log.ts";

/**
 * A try's outcome, written next to its log before the scheduler hears of it. A daemon that dies
 * between the two replays it on restart instead of running the try again.
 */
function outcomeFile(launch: Pick<TaskLaunch, "logFile">): string {
  return `${launch.logFile}.outcome.json`;
}

/**
 * Writes the outcome atomically (temp file, fsync, rename), so a crash leaves the old record or
 * the new one, never half of one. Throws when it cannot: the caller logs it and carries on.
 */
export async function recordOutcome(launch: TaskLaunch, event: ExecutorEvent): Promise<void> {
  const { dagId, runId, taskId } = event.key;
  const stored = { ...event, key: { dagId, runId, taskId, try: event.key.try } };
  const target = outcomeFile(launch);
  const temp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const handle = await open(temp, "wx", LOG_FILE_MODE);
    try {
      await handle.writeFile(JSON.stringify(stored));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new Error(`could not record the outcome of the try in ${target}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The recorded outcome of this try, keyed to `launch`, or undefined if it has none. */
export async function recordedOutcome(launch: TaskLaunch): Promise<ExecutorEvent | undefined> {
  const text = await readFile(outcomeFile(launch), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const { dagId, runId, taskId } = launch;
    return {
      ...(JSON.parse(text) as ExecutorEvent),
      key: { dagId, runId, taskId, try: launch.try },
    } as ExecutorEvent;
  } catch {
    return undefined;
  }
}
