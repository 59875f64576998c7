import type { DagDefinition, TaskDefinition } from "../dags/spec/dag-schema.ts";
import type { TaskLaunch } from "../executor/executor.ts";
import type { Run, TaskInstance } from "../runs/run-model.ts";
import { tryLogFile } from "../runs/try-files.ts";
import { idRecord } from "../store/id-record.ts";
import { plainRender, renderTaskTemplates, taskHasTemplates } from "./templating.ts";

/** A try ready for the executor, or why it cannot start (the try then fails for good). */
export type LaunchPlan = { ok: true; launch: TaskLaunch } | { ok: false; reason: string };

/** What the executor is asked to start for a queued try: templates rendered, log file chosen. */
export function taskLaunchOf(
  run: Run,
  instance: TaskInstance,
  definition: DagDefinition | undefined,
  logsDir: string,
): LaunchPlan {
  const task = taskOf(definition, instance.id);
  if (!task) return { ok: false, reason: "the task is no longer defined" };
  // A task without templates (10,000 starts in a tick mostly) is copied, with no context to build.
  const rendered = taskHasTemplates(task) ? renderWithRun(task, run, instance) : plainRender(task);
  if (!rendered.ok) return { ok: false, reason: `template error: ${rendered.error}` };
  const key = { dagId: run.dagId, runId: run.id, taskId: task.id, try: instance.try };
  let logFile: string;
  try {
    // Throws UnsafeTryPathError for ids that would leave the logs folder (see try-files.ts).
    logFile = tryLogFile(logsDir, key);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  const { command, args, env } = rendered.value;
  // One literal, not spreads: a spread after the first copies property by property (10,000 a tick).
  return {
    ok: true,
    launch: {
      dagId: key.dagId,
      runId: key.runId,
      taskId: key.taskId,
      try: key.try,
      task,
      command,
      args,
      env,
      snapshot: run.snapshot,
      logFile,
      logicalDate: run.logicalDate,
    },
  };
}

/** The task of `definition` with this id (a loop: no closure made per start). */
function taskOf(definition: DagDefinition | undefined, id: string): TaskDefinition | undefined {
  const tasks = definition?.tasks ?? [];
  for (let i = 0; i < tasks.length; i++) if ((tasks[i] as TaskDefinition).id === id) return tasks[i];
  return undefined;
}

/** Renders a task's templates with the run's context and the results its finished tasks published. */
function renderWithRun(task: TaskDefinition, run: Run, instance: TaskInstance) {
  const results = idRecord<unknown>();
  for (const other of run.tasks) if (other.hasResult) results[other.id] = other.result;
  return renderTaskTemplates(task, {
    conf: run.conf,
    logicalDate: run.logicalDate,
    runId: run.id,
    dagId: run.dagId,
    taskId: task.id,
    tryNumber: instance.try,
    results,
  });
}
