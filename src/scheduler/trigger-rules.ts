import type { TriggerRule } from "../sdk/types.ts";
import type { TaskState } from "../runs/run-model.ts";

export type { TriggerRule };

/** What a scheduled task should do given its upstream tasks' states. */
export type TriggerDecision = "run" | "wait" | "skipped" | "upstream_failed";

const DONE: ReadonlySet<TaskState> = new Set(["success", "failed", "upstream_failed", "skipped"]);
const FAILED: ReadonlySet<TaskState> = new Set(["failed", "upstream_failed"]);

/** Airflow's trigger rules over upstream task states. A task without upstreams always runs. */
export function evaluateTriggerRule(rule: TriggerRule, upstream: readonly TaskState[]): TriggerDecision {
  if (upstream.length === 0) return "run";
  const done = upstream.every((s) => DONE.has(s));
  const successes = upstream.filter((s) => s === "success").length;
  const failures = upstream.filter((s) => FAILED.has(s)).length;
  const skips = upstream.filter((s) => s === "skipped").length;
  switch (rule) {
    case "all_success":
      if (failures > 0) return "upstream_failed";
      if (skips > 0) return "skipped";
      return successes === upstream.length ? "run" : "wait";
    case "all_done":
      return done ? "run" : "wait";
    case "all_failed":
      if (successes > 0 || skips > 0) return "skipped";
      return failures === upstream.length ? "run" : "wait";
    case "one_success":
      if (successes > 0) return "run";
      if (!done) return "wait";
      // All skipped means nothing failed: skip (as Airflow does) rather than fail the run.
      return skips === upstream.length ? "skipped" : "upstream_failed";
    case "one_failed":
      if (failures > 0) return "run";
      return done ? "skipped" : "wait";
    case "none_failed":
      if (failures > 0) return "upstream_failed";
      return done ? "run" : "wait";
  }
}
