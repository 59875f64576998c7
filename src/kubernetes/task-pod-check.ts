import type { ResultCheck } from "../dags/loader/loader-pool.ts";
import type { DagDefinition, TaskDefinition } from "../dags/spec/dag-schema.ts";
import { type FieldPath, podProblems } from "../dags/spec/pod-validation.ts";
import { formatPath } from "../dags/spec/validate-dag.ts";
import type { TaskLaunch } from "../executor/executor.ts";
import { NAMED_LISTS } from "./pod-merge.ts";
import type { PodTemplate } from "./pod-template.ts";
import { taskPod } from "./task-pod.ts";

export interface TaskPodSettings {
  template: PodTemplate | undefined;
  /** The namespace of tasks that name none (its value does not change what is valid). */
  namespace: string;
}

/**
 * A LoaderPool check: builds every task's Pod as the executor will (template, fields, override;
 * `{{ ... }}` templates left as written) and validates it as a whole. A DAG with an invalid Pod
 * is an import error at its `dag()` line; the module's other DAGs load.
 */
export function taskPodCheck(settings: TaskPodSettings): ResultCheck {
  return (result) => {
    const dags: typeof result.dags = [];
    const errors = [...result.errors];
    for (const loaded of result.dags) {
      const problems = dagPodProblems(loaded.dag, settings);
      if (problems.length === 0) {
        dags.push(loaded);
        continue;
      }
      for (const message of problems) {
        errors.push({
          file: loaded.file,
          line: loaded.line,
          column: null,
          kind: "validation",
          message: `DAG "${loaded.dag.id}": ${message}`,
          dagId: loaded.dag.id,
        });
      }
    }
    return { ...result, dags, errors };
  };
}

/** `tasks[0].podOverride.spec.containers[1].image: is required`, one per problem. */
export function dagPodProblems(dag: DagDefinition, settings: TaskPodSettings): string[] {
  const messages: string[] = [];
  dag.tasks.forEach((task, i) => {
    const pod = taskPod(sampleLaunch(dag.id, task), settings.namespace, settings.template);
    for (const problem of podProblems(pod, "complete")) {
      const inOverride = overridePath(problem.path, pod, task.podOverride);
      const where = inOverride
        ? `tasks[${i}].podOverride.${formatPath(inOverride)}`
        : `tasks[${i}] (its Pod's ${formatPath(problem.path)})`;
      messages.push(`${where}: ${problem.message}`);
    }
  });
  return messages;
}

/** A try of `task` with its templates unrendered: what the executor gets, placeholders and all. */
function sampleLaunch(dagId: string, task: TaskDefinition): TaskLaunch {
  return {
    dagId,
    runId: "check",
    taskId: task.id,
    try: 1,
    task,
    command: [...task.command],
    args: [...task.args],
    // Rendered values only: references (secretKeyRef, ...) stay in task.env, as in a real launch.
    env: Object.fromEntries(
      Object.entries(task.env).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    ),
    snapshot: "",
    logFile: "",
    logicalDate: "{{ ts }}",
  };
}

/**
 * Where `path` (in the final Pod) is in the task's podOverride, if the override wrote that field
 * or the element holding it; items of named lists are found by name.
 */
function overridePath(path: FieldPath, pod: unknown, override: unknown): FieldPath | undefined {
  let final = pod;
  let over = override;
  const found: FieldPath = [];
  for (const [depth, step] of path.entries()) {
    if (over === undefined) break;
    const parentKey = found[found.length - 1];
    let overStep: string | number | undefined = step;
    if (typeof step === "number" && typeof parentKey === "string" && NAMED_LISTS.has(parentKey)) {
      const name = nameOf(child(final, step));
      overStep =
        Array.isArray(over) && name !== undefined ? over.findIndex((item) => nameOf(item) === name) : -1;
      if (overStep === -1) return undefined;
    }
    found.push(overStep);
    final = child(final, step);
    over = child(over, overStep);
    if (over === undefined && depth < path.length - 1) return undefined;
  }
  return found.length === path.length ? found : undefined;
}

function child(value: unknown, step: string | number): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  return Object.getOwnPropertyDescriptor(value, step)?.value;
}

function nameOf(item: unknown): string | undefined {
  const name = child(item, "name");
  return typeof name === "string" ? name : undefined;
}
