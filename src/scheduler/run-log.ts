import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { Logger } from "../log/logger.ts";

/** Logs the end of each try and run from the daemon's events; returns the unsubscribe function. */
export function logRunEvents(events: DaemonEventBus, log: Logger): () => void {
  const offs = [
    events.on("try:finished", ({ run, task }) => {
      const fields = {
        dag: run.dagId,
        run: run.id,
        task: task.id,
        try: task.try,
        state: task.state,
        reason: task.reason,
      };
      if (task.state === "success") log.info(fields, "task succeeded");
      else log.warn(fields, task.state === "up_for_retry" ? "task failed; will retry" : "task failed");
    }),
    events.on("run:finished", ({ run }) => {
      const fields = { dag: run.dagId, run: run.id, state: run.state };
      if (run.state === "success") log.info(fields, "run succeeded");
      else log.warn(fields, "run failed");
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
