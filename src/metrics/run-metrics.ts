import type { Metrics } from "./metrics.ts";

interface RunFacts {
  dagId: string;
  state: string;
  tasks: ReadonlyArray<{ state: string }>;
}

/**
 * The run and try events this subscriber reads (a structural view of the daemon's EventBus, so
 * src/metrics stays below src/events in the folder graph).
 */
export interface RunEventSource {
  on(event: "run:started", listener: (payload: { run: RunFacts; lagMs: number | null }) => void): () => void;
  on(event: "run:finished", listener: (payload: { run: RunFacts }) => void): () => void;
  on(event: "schedule:missed", listener: (payload: { dagId: string; count: number }) => void): () => void;
  on(
    event: "try:finished",
    listener: (payload: { run: RunFacts; task: { state: string }; durationMs: number | null }) => void,
  ): () => void;
}

/**
 * Records run and try metrics from the daemon's events: final states (a run once, when it reaches
 * one), try durations, the scheduling lag of scheduled runs and missed schedules. Returns the unsubscribe function.
 */
export function recordRunMetrics(events: RunEventSource, metrics: Metrics): () => void {
  const offs = [
    events.on("run:started", ({ run, lagMs }) => {
      if (lagMs !== null) metrics.runStarted({ dagId: run.dagId, lagMs });
    }),
    events.on("run:finished", ({ run }) => metrics.runFinished(run)),
    events.on("schedule:missed", ({ dagId, count }) => metrics.missedSchedules({ dagId, count })),
    events.on("try:finished", ({ run, task, durationMs }) => {
      if (durationMs === null) return;
      metrics.tryFinished({
        dagId: run.dagId,
        outcome: task.state === "success" ? "success" : "failed",
        durationMs,
      });
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
