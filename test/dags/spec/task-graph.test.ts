import { describe, expect, test } from "vitest";
import { taskGraphProblems } from "../../../src/dags/spec/task-graph.ts";

const task = (id: string, ...dependsOn: string[]) => ({ id, dependsOn });

describe("taskGraphProblems", () => {
  test("a valid diamond has no problems", () => {
    expect(
      taskGraphProblems([
        task("extract"),
        task("left", "extract"),
        task("right", "extract"),
        task("load", "left", "right"),
      ]),
    ).toEqual([]);
  });

  test("a duplicate task id is reported at the second task, naming the first", () => {
    expect(taskGraphProblems([task("a"), task("b"), task("a")])).toEqual([
      { taskIndex: 2, field: "id", message: 'duplicate task id "a" (also tasks[0])' },
    ]);
  });

  test("dependsOn naming a missing task lists the known tasks", () => {
    expect(taskGraphProblems([task("a"), task("b", "a", "x")])).toEqual([
      { taskIndex: 1, field: "dependsOn", message: 'dependsOn ref "x" not found (tasks: a, b)' },
    ]);
  });

  test("a task depending on itself is reported once, not as a cycle", () => {
    expect(taskGraphProblems([task("a", "a")])).toEqual([
      { taskIndex: 0, field: "dependsOn", message: 'task "a" depends on itself' },
    ]);
  });

  test("a two-task cycle reads a -> b -> a from the first declared task", () => {
    expect(taskGraphProblems([task("a", "b"), task("b", "a")])).toEqual([
      { taskIndex: 0, field: "dependsOn", message: "cycle: a -> b -> a" },
    ]);
  });

  test("a three-task cycle is reported once, in run order, from the first declared task", () => {
    // b runs after a, c after b, a after c.
    expect(taskGraphProblems([task("a", "c"), task("b", "a"), task("c", "b")])).toEqual([
      { taskIndex: 0, field: "dependsOn", message: "cycle: a -> b -> c -> a" },
    ]);
  });

  test("a cycle among later tasks points at the first of them", () => {
    expect(taskGraphProblems([task("start"), task("x", "start", "y"), task("y", "x")])).toEqual([
      { taskIndex: 1, field: "dependsOn", message: "cycle: x -> y -> x" },
    ]);
  });

  test("two separate cycles are both reported", () => {
    const problems = taskGraphProblems([task("a", "b"), task("b", "a"), task("c", "d"), task("d", "c")]);
    expect(problems.map((p) => p.message)).toEqual(["cycle: a -> b -> a", "cycle: c -> d -> c"]);
  });
});
