import { describe, expect, it } from "vitest";
import { TRIGGER_RULES } from "../../src/dags/spec/task-schema.ts";
import type { TaskState } from "../../src/runs/run-model.ts";
import { evaluateTriggerRule, type TriggerDecision } from "../../src/scheduler/trigger-rules.ts";

const UPSTREAMS: Record<string, readonly TaskState[]> = {
  "no upstream": [],
  "all success": ["success", "success"],
  "one failed": ["success", "failed"],
  "one skipped": ["success", "skipped"],
  "all failed": ["failed", "upstream_failed"],
  "all skipped": ["skipped", "skipped"],
  "failed and skipped": ["failed", "skipped"],
  upstream_failed: ["success", "upstream_failed"],
  "success and running": ["success", "running"],
  "failed and running": ["failed", "running"],
  "skipped and queued": ["skipped", "queued"],
  "retrying and success": ["up_for_retry", "success"],
  "none started": ["scheduled", "scheduled"],
};

/** Expected decision per upstream combination, one column per rule (Airflow's semantics). */
const TABLE: Record<string, Record<(typeof TRIGGER_RULES)[number], TriggerDecision>> = {
  "no upstream": {
    all_success: "run",
    all_done: "run",
    all_failed: "run",
    one_success: "run",
    one_failed: "run",
    none_failed: "run",
  },
  "all success": {
    all_success: "run",
    all_done: "run",
    all_failed: "skipped",
    one_success: "run",
    one_failed: "skipped",
    none_failed: "run",
  },
  "one failed": {
    all_success: "upstream_failed",
    all_done: "run",
    all_failed: "skipped",
    one_success: "run",
    one_failed: "run",
    none_failed: "upstream_failed",
  },
  "one skipped": {
    all_success: "skipped",
    all_done: "run",
    all_failed: "skipped",
    one_success: "run",
    one_failed: "skipped",
    none_failed: "run",
  },
  "all failed": {
    all_success: "upstream_failed",
    all_done: "run",
    all_failed: "run",
    one_success: "upstream_failed",
    one_failed: "run",
    none_failed: "upstream_failed",
  },
  "all skipped": {
    all_success: "skipped",
    all_done: "run",
    all_failed: "skipped",
    // Nothing failed, so nothing downstream may fail the run: skipped, as in Airflow.
    one_success: "skipped",
    one_failed: "skipped",
    none_failed: "run",
  },
  "failed and skipped": {
    all_success: "upstream_failed",
    all_done: "run",
    all_failed: "skipped",
    one_success: "upstream_failed",
    one_failed: "run",
    none_failed: "upstream_failed",
  },
  upstream_failed: {
    all_success: "upstream_failed",
    all_done: "run",
    all_failed: "skipped",
    one_success: "run",
    one_failed: "run",
    none_failed: "upstream_failed",
  },
  "success and running": {
    all_success: "wait",
    all_done: "wait",
    all_failed: "skipped",
    one_success: "run",
    one_failed: "wait",
    none_failed: "wait",
  },
  "failed and running": {
    all_success: "upstream_failed",
    all_done: "wait",
    all_failed: "wait",
    one_success: "wait",
    one_failed: "run",
    none_failed: "upstream_failed",
  },
  "skipped and queued": {
    all_success: "skipped",
    all_done: "wait",
    all_failed: "skipped",
    one_success: "wait",
    one_failed: "wait",
    none_failed: "wait",
  },
  "retrying and success": {
    all_success: "wait",
    all_done: "wait",
    all_failed: "skipped",
    one_success: "run",
    one_failed: "wait",
    none_failed: "wait",
  },
  "none started": {
    all_success: "wait",
    all_done: "wait",
    all_failed: "wait",
    one_success: "wait",
    one_failed: "wait",
    none_failed: "wait",
  },
};

const CASES = Object.entries(TABLE).flatMap(([combination, decisions]) =>
  TRIGGER_RULES.map((rule) => ({ rule, combination, expected: decisions[rule] })),
);

describe("evaluateTriggerRule", () => {
  it("has a row for every upstream combination and a column for all six rules", () => {
    expect(Object.keys(TABLE)).toEqual(Object.keys(UPSTREAMS));
    expect(TRIGGER_RULES).toEqual([
      "all_success",
      "all_done",
      "all_failed",
      "one_success",
      "one_failed",
      "none_failed",
    ]);
    expect(CASES).toHaveLength(13 * 6);
  });

  it.each(CASES)("$rule with $combination → $expected", ({ rule, combination, expected }) => {
    expect(evaluateTriggerRule(rule, UPSTREAMS[combination] ?? [])).toBe(expected);
  });

  it("does not depend on the order of the upstream states", () => {
    for (const rule of TRIGGER_RULES) {
      for (const states of Object.values(UPSTREAMS)) {
        expect(evaluateTriggerRule(rule, [...states].reverse())).toBe(evaluateTriggerRule(rule, states));
      }
    }
  });
});
