import { readFile, writeFile } from "node:fs/promises";
import type { ExecutorEvent, TaskLaunch } from "./executor.ts";

/**
 * A try's outcome, written next to its log before the scheduler hears of it. A daemon that dies
 * between the two replays it on restart instead of running the try again.
 */
function outcomeFile(launch: Pick<TaskLaunch, "logFile">): string {
  return `${launch.logFile}.outcome.json`;
}

export async function recordOutcome(launch: TaskLaunch, event: ExecutorEvent): Promise<void> {
  const { dagId, runId, taskId } = event.key;
  const stored = { ...event, key: { dagId, runId, taskId, try: event.key.try } };
  await writeFile(outcomeFile(launch), JSON.stringify(stored)).catch(() => undefined);
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
