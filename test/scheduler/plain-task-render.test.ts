// Issue 17 point 3 (lag): a task with no `{{` in its command, args or env is copied, not rendered
// (10,000 starts in one tick). The copy must be what rendering gives, and the caller's to change.
import { describe, expect, it } from "vitest";
import {
  renderTaskTemplates,
  taskHasTemplates,
  type TemplateContext,
} from "../../src/scheduler/templating.ts";

const context: TemplateContext = {
  conf: { k: 1 },
  logicalDate: "2026-05-01T22:30:00.000Z",
  runId: "etl__scheduled__20260501T223000Z",
  dagId: "etl",
  taskId: "load",
  tryNumber: 2,
  results: {},
};

function plainTask() {
  const env: Record<string, string | object> = { A: "1", REF: { secretKeyRef: { name: "s", key: "k" } } };
  Object.defineProperty(env, "__proto__", {
    value: "p",
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return { command: ["run", "{ not a template }"], args: ["--x", "}}"], env };
}

describe("a task without templates", () => {
  it("renders to fresh copies equal to its fields, string env values only", () => {
    const task = plainTask();
    expect(taskHasTemplates(task)).toBe(false);
    const result = renderTaskTemplates(task, context);
    if (!result.ok) throw new Error(result.error);
    expect(result.value.command).toEqual(task.command);
    expect(result.value.args).toEqual(task.args);
    expect({ ...result.value.env }).toEqual({ A: "1", ["__proto__"]: "p" });
    expect(Object.hasOwn(result.value.env, "__proto__")).toBe(true);
    expect(Object.hasOwn(result.value.env, "REF")).toBe(false);
    // Changing what one launch got leaves the definition (shared by every run) as it was.
    result.value.command.push("more");
    result.value.args.length = 0;
    expect(task.command).toEqual(["run", "{ not a template }"]);
    expect(task.args).toEqual(["--x", "}}"]);
  });

  it.each([
    ["command", { command: ["echo", "{{ ds }}"], args: [], env: {} }, ["echo", "2026-05-01"]],
    ["args", { command: [], args: ["{{run_id}}"], env: {} }, ["etl__scheduled__20260501T223000Z"]],
    ["env", { command: [], args: [], env: { D: "{{ dag.id }}" } }, { D: "etl" }],
  ] as const)("still renders a template in %s", (field, task, expected) => {
    expect(taskHasTemplates(task)).toBe(true);
    const result = renderTaskTemplates(task, context);
    if (!result.ok) throw new Error(result.error);
    const value = result.value[field];
    expect(Array.isArray(value) ? value : { ...value }).toEqual(expected);
  });

  it("still reports an unknown name", () => {
    const result = renderTaskTemplates({ command: ["{{ nope }}"], args: [], env: {} }, context);
    expect(result.ok).toBe(false);
  });
});
