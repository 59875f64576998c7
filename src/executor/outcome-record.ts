import { readFile } from "node:fs/promises";
import type { Logger } from "../log/logger.ts";
import { trySideFile } from "../runs/try-files.ts";
import { writeFileDurably } from "../store/durable-write.ts";
import type { ExecutorEvent, TaskLaunch } from "./executor.ts";
import { mayExist } from "./may-exist.ts";

/**
 * A try's outcome, written next to its log before the scheduler hears of it. A daemon that dies
 * between the two replays it on restart instead of running the try again.
 */
function outcomeFile(launch: Pick<TaskLaunch, "logFile">): string {
  return trySideFile(launch.logFile, "outcome");
}

/**
 * Written whole or not at all (temp, fsync, rename). A record that cannot be written (a full disk)
 * is logged, not fatal: the scheduler still hears of the outcome, only a restart before it is
 * stored would run the try again.
 */
export async function recordOutcome(
  launch: TaskLaunch,
  event: ExecutorEvent,
  log?: Pick<Logger, "warn">,
): Promise<void> {
  const { dagId, runId, taskId } = event.key;
  const stored = { ...event, key: { dagId, runId, taskId, try: event.key.try } };
  try {
    await writeFileDurably(outcomeFile(launch), JSON.stringify(stored));
  } catch (error) {
    log?.warn(
      { dag: dagId, run: runId, task: taskId, try: event.key.try, file: outcomeFile(launch), err: error },
      "could not record the outcome of the try; a restart before the scheduler stores it runs the try again",
    );
  }
}

/** The recorded outcome of this try, keyed to `launch`, or undefined if it has none. */
export async function recordedOutcome(launch: TaskLaunch): Promise<ExecutorEvent | undefined> {
  // Most tries have none: asked first, since a failed read builds an error with a stack.
  if (!mayExist(outcomeFile(launch))) return undefined;
  const text = await readFile(outcomeFile(launch), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const { dagId, runId, taskId } = launch;
    const stored = JSON.parse(text) as ExecutorEvent;
    // Another try's record (a shared folder) is never replayed as this one's.
    const own = stored.key;
    if (own?.dagId !== dagId || own.runId !== runId || own.taskId !== taskId || own.try !== launch.try)
      return undefined;
    return { ...stored, key: { dagId, runId, taskId, try: launch.try } } as ExecutorEvent;
  } catch {
    return undefined;
  }
}
