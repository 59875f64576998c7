/** Labels and annotations on task Pods (CONTRACT.md, Pods). */
import { describe, expect, it } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import {
  keyFromAnnotations,
  MANAGED_SELECTOR,
  taskAnnotations,
  taskLabels,
} from "../../src/kubernetes/task-labels.ts";

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const NODE_JOBS: TaskKey = {
  dagId: "node_jobs",
  runId: "node_jobs__manual__20261121T200832Z_899efc",
  taskId: "test_task",
  try: 2,
};

describe("taskLabels", () => {
  it("puts the contract's five labels on a pod, values as they are when valid", () => {
    expect(taskLabels(NODE_JOBS)).toStrictEqual({
      "app.kubernetes.io/managed-by": "updraft",
      "updraft.dev/dag": "node_jobs",
      "updraft.dev/task": "test_task",
      "updraft.dev/run": "node_jobs__manual__20261121T200832Z_899efc",
      "updraft.dev/try": "2",
    });
  });

  it("selects its pods with app.kubernetes.io/managed-by=updraft", () => {
    expect(MANAGED_SELECTOR).toBe("app.kubernetes.io/managed-by=updraft");
  });

  it("makes long ids valid label values", () => {
    const dagId = `${"warehouse.".repeat(10)}loads`;
    const key = { dagId, runId: `${dagId}__manual__20261121T200832Z_899efc`, taskId: "_load_", try: 10 };
    const labels = taskLabels(key);
    for (const value of Object.values(labels)) {
      expect(value.length).toBeLessThanOrEqual(63);
      expect(value).toMatch(LABEL_VALUE);
    }
    expect(labels["updraft.dev/dag"]).toMatch(/^warehouse\.warehouse\..*-[0-9a-f]{8}$/);
    expect(labels["updraft.dev/task"]).toMatch(/^load-[0-9a-f]{8}$/);
    expect(labels["updraft.dev/try"]).toBe("10");
    expect(labels["updraft.dev/run"]).not.toBe(labels["updraft.dev/dag"]);
  });
});

describe("taskAnnotations and keyFromAnnotations", () => {
  it("keeps the exact ids in annotations", () => {
    expect(taskAnnotations(NODE_JOBS)).toStrictEqual({
      "updraft.dev/dag-id": "node_jobs",
      "updraft.dev/task-id": "test_task",
      "updraft.dev/run-id": "node_jobs__manual__20261121T200832Z_899efc",
      "updraft.dev/try": "2",
    });
  });

  it.each([
    NODE_JOBS,
    // Ids whose labels had to be hashed come back exactly.
    {
      dagId: `${"Warehouse_Loads.".repeat(12)}Nightly`,
      runId: `${"Warehouse_Loads.".repeat(12)}Nightly__scheduled__20261121T000000Z`,
      taskId: "Load.Orders",
      try: 101,
    },
  ])("round-trips the key of %j", (key) => {
    expect(keyFromAnnotations(taskAnnotations(key))).toStrictEqual(key);
  });

  it("reads the key among the user's own annotations", () => {
    const annotations = { "sidecar.istio.io/inject": "false", ...taskAnnotations(NODE_JOBS) };
    expect(keyFromAnnotations(annotations)).toStrictEqual(NODE_JOBS);
  });

  it.each([
    ["no annotations", undefined],
    ["someone else's pod", { "sidecar.istio.io/inject": "false" }],
    ["no try", { "updraft.dev/dag-id": "d", "updraft.dev/task-id": "t", "updraft.dev/run-id": "r" }],
    [
      "a try that is not a number",
      {
        "updraft.dev/dag-id": "d",
        "updraft.dev/task-id": "t",
        "updraft.dev/run-id": "r",
        "updraft.dev/try": "x",
      },
    ],
    [
      "a fractional try",
      {
        "updraft.dev/dag-id": "d",
        "updraft.dev/task-id": "t",
        "updraft.dev/run-id": "r",
        "updraft.dev/try": "1.5",
      },
    ],
    ["no run", { "updraft.dev/dag-id": "d", "updraft.dev/task-id": "t", "updraft.dev/try": "1" }],
    [
      "an empty dag id",
      {
        "updraft.dev/dag-id": "",
        "updraft.dev/task-id": "t",
        "updraft.dev/run-id": "r",
        "updraft.dev/try": "1",
      },
    ],
  ])("finds no key with %s", (_what, annotations) => {
    expect(keyFromAnnotations(annotations)).toBeUndefined();
  });
});
