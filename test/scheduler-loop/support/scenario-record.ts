import type { Harness } from "../harness.ts";

/** What a scenario's bus reported: runs created, started and finished, tries finished. */
export function recordRunEvents(h: Harness): string[] {
  const events: string[] = [];
  for (const type of ["run:created", "run:started", "run:finished"] as const)
    h.events.on(type, ({ run }) => events.push(`${type} ${run.id} ${run.state} queued ${run.queuedAt}`));
  h.events.on("try:finished", ({ run, task }) =>
    events.push(`try:finished ${run.id}/${task.id} ${task.state}`),
  );
  return events;
}

/**
 * Ends every try started so far (runs it, then finishes it) but those `keep` spares, until none is
 * left to end; `ended` remembers the tries ended across calls.
 */
export async function finishOpenTries(
  h: Harness,
  ended: Set<string>,
  keep: (dagId: string) => boolean = () => false,
): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const open = h.executor.starts.filter(
      (launch) => !keep(launch.dagId) && !ended.has(`${launch.runId}/${launch.taskId}/${launch.try}`),
    );
    if (open.length === 0) return;
    for (const launch of open) {
      ended.add(`${launch.runId}/${launch.taskId}/${launch.try}`);
      h.executor.running(launch);
      h.executor.finish(launch);
    }
    await h.settle();
  }
}
