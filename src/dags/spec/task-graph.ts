/** A problem with how a DAG's tasks refer to each other. */
export interface TaskGraphProblem {
  taskIndex: number;
  field: "id" | "dependsOn";
  message: string;
}

/**
 * Finds duplicate task ids, dependencies on missing tasks or on the task itself, and cycles
 * (reported once each, as `a -> b -> a`).
 */
export function taskGraphProblems(
  tasks: ReadonlyArray<{ id: string; dependsOn: readonly string[] }>,
): TaskGraphProblem[] {
  const problems: TaskGraphProblem[] = [];
  const firstIndex = new Map<string, number>();
  tasks.forEach((task, taskIndex) => {
    const earlier = firstIndex.get(task.id);
    if (earlier === undefined) firstIndex.set(task.id, taskIndex);
    else
      problems.push({
        taskIndex,
        field: "id",
        message: `duplicate task id "${task.id}" (also tasks[${earlier}])`,
      });
  });
  tasks.forEach((task, taskIndex) => {
    for (const upstream of task.dependsOn) {
      if (upstream === task.id) {
        problems.push({ taskIndex, field: "dependsOn", message: `task "${task.id}" depends on itself` });
      } else if (!firstIndex.has(upstream)) {
        const known = [...firstIndex.keys()].join(", ");
        problems.push({
          taskIndex,
          field: "dependsOn",
          message: `dependsOn ref "${upstream}" not found (tasks: ${known})`,
        });
      }
    }
  });
  for (const cycle of findCycles(tasks)) {
    const taskIndex = firstIndex.get(cycle[0] ?? "") ?? 0;
    problems.push({ taskIndex, field: "dependsOn", message: `cycle: ${cycle.join(" -> ")}` });
  }
  return problems;
}

/** Each cycle once, starting from its first task in declaration order and closed (`a -> b -> a`). */
function findCycles(tasks: ReadonlyArray<{ id: string; dependsOn: readonly string[] }>): string[][] {
  const upstreams = new Map<string, readonly string[]>();
  for (const task of tasks) if (!upstreams.has(task.id)) upstreams.set(task.id, task.dependsOn);
  const declared = new Map([...upstreams.keys()].map((id, index) => [id, index]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (id: string): void => {
    state.set(id, "visiting");
    path.push(id);
    for (const next of upstreams.get(id) ?? []) {
      if (next === id || !upstreams.has(next)) continue;
      if (state.get(next) === "visiting") {
        // Walk order follows dependsOn (downstream -> upstream); report in run order.
        const loop = startAtFirstDeclared(path.slice(path.indexOf(next)).reverse(), declared);
        cycles.push([...loop, loop[0] ?? next]);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    path.pop();
    state.set(id, "done");
  };
  for (const id of upstreams.keys()) if (!state.has(id)) visit(id);
  return cycles;
}

/** The same loop of task ids, rotated to begin at the task declared first. */
function startAtFirstDeclared(loop: readonly string[], declared: ReadonlyMap<string, number>): string[] {
  const rank = (id: string | undefined) => declared.get(id ?? "") ?? Number.POSITIVE_INFINITY;
  let first = 0;
  loop.forEach((id, index) => {
    if (rank(id) < rank(loop[first])) first = index;
  });
  return [...loop.slice(first), ...loop.slice(0, first)];
}
