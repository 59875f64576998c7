/** Pod names and label values: what kube-apiserver accepts, deterministic, distinct per try. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dns1123LabelError, labelValueError } from "../../src/dags/spec/kubernetes-names.ts";
import type { TaskKey } from "../../src/executor/executor.ts";
import { labelValueFor, podNameFor } from "../../src/kubernetes/pod-names.ts";

// The rules from the brief, written out here rather than imported, so a change to the shared
// validators cannot silently loosen these tests.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const NODE_JOBS: TaskKey = {
  dagId: "node_jobs",
  runId: "node_jobs__manual__20261121T200832Z_899efc",
  taskId: "test_task",
  try: 1,
};
const LONG_DAG = `${"Warehouse_Loads.".repeat(12)}Nightly`;
const LONG_TASK = `Load.${"Fact_Table_".repeat(15)}Orders`;
const LONG_KEY: TaskKey = {
  dagId: LONG_DAG,
  runId: `${LONG_DAG}__scheduled__20261121T000000Z`,
  taskId: LONG_TASK,
  try: 3,
};

function hash8(key: TaskKey): string {
  return createHash("sha256").update(`${key.dagId}\0${key.runId}\0${key.taskId}`).digest("hex").slice(0, 8);
}

function expectValidPodName(name: string): void {
  expect(name.length).toBeLessThanOrEqual(63);
  expect(name).toMatch(DNS1123_LABEL);
  expect(dns1123LabelError(name)).toBeUndefined();
}

describe("podNameFor", () => {
  it("names the seed DAG's pod <dag>-<task>-<hash of dag, run, task>-<try>", () => {
    // Exact: a daemon restarted (or upgraded) must compute the same name to adopt its Pods.
    expect(podNameFor(NODE_JOBS)).toBe("node-jobs-test-task-44b3621b-1");
    expect(hash8(NODE_JOBS)).toBe("44b3621b");
  });

  it("is deterministic: the same key always gives the same name", () => {
    const again = { ...NODE_JOBS };
    expect(podNameFor(again)).toBe(podNameFor(NODE_JOBS));
    expect(podNameFor(LONG_KEY)).toBe(podNameFor({ ...LONG_KEY }));
  });

  it("differs for a different run, task, dag or try", () => {
    const names = [
      NODE_JOBS,
      { ...NODE_JOBS, runId: "node_jobs__manual__20261121T200832Z_899efd" },
      { ...NODE_JOBS, runId: "node_jobs__scheduled__20261121T000000Z" },
      { ...NODE_JOBS, taskId: "test_task2" },
      { ...NODE_JOBS, dagId: "node_jobs2" },
      { ...NODE_JOBS, try: 2 },
      { ...NODE_JOBS, try: 11 },
      // Separator ambiguity: "a-b" + "c" and "a" + "b-c" read the same but are different tasks.
      { ...NODE_JOBS, dagId: "node_jobs-test", taskId: "task" },
      { ...NODE_JOBS, dagId: "node_jobs", taskId: "test-task" },
    ].map(podNameFor);
    expect(new Set(names).size).toBe(names.length);
    expect(names[5]).toBe("node-jobs-test-task-44b3621b-2");
    expect(names[6]).toBe("node-jobs-test-task-44b3621b-11");
    for (const name of names) expectValidPodName(name);
  });

  it("lower-cases and turns '_' and '.' into '-'", () => {
    const key = {
      dagId: "ETL.Orders_Daily",
      runId: "ETL.Orders_Daily__scheduled__20261121T000000Z",
      taskId: "Load.Warehouse_Table",
      try: 1,
    };
    expect(podNameFor(key)).toBe(`etl-orders-daily-load-warehouse-table-${hash8(key)}-1`);
    expect(hash8(key)).toBe("77afc995");
    expectValidPodName(podNameFor(key));
  });

  it("truncates very long ids to 63 characters, keeping the hash and try number", () => {
    const name = podNameFor(LONG_KEY);
    expect(name).toHaveLength(63);
    expectValidPodName(name);
    const suffix = `-${hash8(LONG_KEY)}-3`;
    expect(name.endsWith(suffix)).toBe(true);
    const readable = name.slice(0, -suffix.length);
    expect(readable).toBe("warehouse-loads-".repeat(4).slice(0, 63 - suffix.length));
    expect(readable).toBe("warehouse-loads-warehouse-loads-warehouse-loads-ware");
    expect(readable).toHaveLength(52);
  });

  it("keeps truncated names apart when they differ only past the cut", () => {
    const other = { ...LONG_KEY, taskId: `${LONG_TASK}_v2` };
    const otherRun = { ...LONG_KEY, runId: `${LONG_DAG}__scheduled__20261122T000000Z` };
    const names = [podNameFor(LONG_KEY), podNameFor(other), podNameFor(otherRun)];
    // Same readable part, different hash.
    const readable = "warehouse-loads-warehouse-loads-warehouse-loads-ware";
    expect(names.map((n) => n.slice(0, 52))).toEqual([readable, readable, readable]);
    expect(new Set(names).size).toBe(3);
    for (const name of names) expectValidPodName(name);
  });

  it("does not end the readable part with a dash where the cut falls on a separator", () => {
    // 52 readable characters fit with "-<8 hex>-3"; make character 52 a separator.
    const dagId = `${"a".repeat(51)}_b`;
    const key = { dagId, runId: "r", taskId: "t", try: 3 };
    const name = podNameFor(key);
    expect(name).toBe(`${"a".repeat(51)}-${hash8(key)}-3`);
    expectValidPodName(name);
  });

  it("falls back to 'task' when the ids have no DNS characters at all", () => {
    const key = { dagId: "___", runId: "r", taskId: "...", try: 1 };
    expect(podNameFor(key)).toBe(`task-${hash8(key)}-1`);
    expectValidPodName(podNameFor(key));
  });

  it("stays valid for every id shape the DAG schema allows, up to 250 characters", () => {
    const ids = ["a", "A", "9", "_a", "a_", ".a.", "-a-", "A-_.b", "x".repeat(250), `${"_".repeat(249)}Z`];
    for (const dagId of ids) {
      for (const taskId of ids) {
        for (const tryNumber of [1, 101]) {
          expectValidPodName(podNameFor({ dagId, runId: `${dagId}__manual__x`, taskId, try: tryNumber }));
        }
      }
    }
  });
});

describe("labelValueFor", () => {
  const valid = [
    "etl_orders__manual__20261121T200832Z_899efc",
    "node_jobs",
    "ETL.Orders_Daily",
    "a",
    "1",
    "a".repeat(63),
    "",
  ];

  it.each(valid)("leaves the valid value %j unchanged", (value) => {
    expect(labelValueFor(value)).toBe(value);
  });

  it("hashes values longer than 63 characters into 63 valid characters", () => {
    const value = "a".repeat(64);
    const expected = `${"a".repeat(54)}-${createHash("sha256").update(value).digest("hex").slice(0, 8)}`;
    expect(labelValueFor(value)).toBe(expected);
    expect(labelValueFor(value)).toBe(`${"a".repeat(54)}-ffe054fe`);
  });

  it("gives distinct long run ids distinct values, deterministically", () => {
    const dag = "etl_orders_".repeat(8);
    const runs = [
      `${dag}__manual__20261121T200832Z_899efc`,
      `${dag}__manual__20261121T200832Z_899efd`,
      `${dag}__scheduled__20261121T000000Z`,
      `${dag}__scheduled__20261122T000000Z`,
    ];
    const values = runs.map(labelValueFor);
    expect(new Set(values).size).toBe(runs.length);
    expect(runs.map(labelValueFor)).toEqual(values);
    for (const value of values) {
      expect(value).toHaveLength(63);
      expect(value).toMatch(LABEL_VALUE);
      expect(labelValueError(value)).toBeUndefined();
      expect(value.startsWith("etl_orders_etl_orders_")).toBe(true);
    }
  });

  it.each([
    ["_leading", "leading-"],
    ["trailing.", "trailing-"],
    ["has space", "has-space-"],
    ["ünïcode", "n-code-"],
    ["-", "v-"],
    ["a/b:c", "a-b-c-"],
  ])("makes %j valid with a hash suffix (%s<hash>)", (value, head) => {
    const result = labelValueFor(value);
    const hash = createHash("sha256").update(value).digest("hex").slice(0, 8);
    expect(result).toBe(`${head}${hash}`);
    expect(result).toMatch(LABEL_VALUE);
  });

  it("keeps values that only differ in invalid characters apart", () => {
    expect(labelValueFor("a b")).not.toBe(labelValueFor("a/b"));
    expect(labelValueFor("a b")).not.toBe(labelValueFor("a-b"));
    expect(labelValueFor("a-b")).toBe("a-b");
  });

  it("cuts a hashed value's head so it does not end in a separator", () => {
    // 54 head characters fit before "-<hash>"; put '.' and '_' at 53 and 54.
    const value = `${"x".repeat(52)}._${"y".repeat(20)}`;
    const result = labelValueFor(value);
    expect(result).toBe(`${"x".repeat(52)}-${createHash("sha256").update(value).digest("hex").slice(0, 8)}`);
    expect(result).toMatch(LABEL_VALUE);
  });
});
