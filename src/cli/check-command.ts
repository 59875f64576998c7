import { stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../config/flags.ts";
import type { DagSet } from "../dags/dag-set.ts";
import { loadDagSet } from "../dags/dag-set-loader.ts";
import { type LoaderLimits, LoaderPool } from "../dags/loader/loader-pool.ts";
import { readPodTemplate } from "../kubernetes/pod-template.ts";
import { taskPodCheck } from "../kubernetes/task-pod-check.ts";
import { nextRunAfter } from "../scheduler/next-run.ts";

export interface CheckOptions {
  dir: string;
  json: boolean;
  /** `--pod-template`: the daemon's; each task's Pod is validated as built from it. */
  podTemplate?: string | undefined;
  limits: Partial<LoaderLimits>;
  now: Date;
}

/** `updraft check`: loads a DAGs folder as the daemon would and reports; exit code 1 on any error. */
export async function runCheck(options: CheckOptions, out: (text: string) => void): Promise<number> {
  const isFolder = await stat(options.dir).then(
    (found) => found.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new UsageError(`check: "${options.dir}" is not a folder`);
  const template = options.podTemplate === undefined ? undefined : readPodTemplate(options.podTemplate);
  const pool = new LoaderPool(options.limits, {
    checkResult: taskPodCheck({ template, namespace: "default" }),
  });
  try {
    const { set } = await loadDagSet(pool, options.dir);
    out(
      options.json
        ? `${JSON.stringify(checkReport(set, options.now), null, 2)}\n`
        : formatCheckReport(set, options.dir, options.now),
    );
    return set.errors.length > 0 ? 1 : 0;
  } finally {
    await pool.close();
  }
}

/** The `--json` shape: DAGs and errors, paths relative to the checked folder. */
export function checkReport(set: DagSet, now: Date) {
  return {
    dags: set.dags.map(({ dag, file, line }) => ({
      id: dag.id,
      file,
      line,
      schedule: dag.schedule,
      timezone: dag.timezone,
      nextRunAt: nextRunAfter(dag, now)?.toISOString() ?? null,
      paused: dag.pausedOnCreation,
      tasks: dag.tasks.map((task) => ({ id: task.id, image: task.image, dependsOn: task.dependsOn })),
      spec: dag,
    })),
    errors: set.errors,
  };
}

export function formatCheckReport(set: DagSet, dir: string, now: Date): string {
  const shown = (file: string) => path.join(dir, file);
  const lines: string[] = [];
  for (const { dag, file, line } of set.dags) {
    const next = nextRunAfter(dag, now);
    const schedule = dag.schedule === null ? "manual" : `${dag.schedule} (${dag.timezone})`;
    lines.push(`${dag.id}  ${shown(file)}${line ? `:${line}` : ""}`);
    lines.push(`  schedule: ${schedule}   next run: ${next ? next.toISOString() : "-"}`);
    for (const task of dag.tasks) {
      const after = task.dependsOn.length ? `  after ${task.dependsOn.join(", ")}` : "";
      lines.push(`  - ${task.id}  ${task.image}${after}`);
    }
  }
  if (set.errors.length > 0) {
    if (lines.length > 0) lines.push("");
    lines.push("Errors:");
    for (const error of set.errors) {
      const where = error.line
        ? `${shown(error.file)}:${error.line}${error.column ? `:${error.column}` : ""}`
        : shown(error.file);
      lines.push(`  ${where}  [${error.kind}] ${error.message}`);
    }
  }
  lines.push("");
  const dagCount = `${set.dags.length} DAG${set.dags.length === 1 ? "" : "s"}`;
  const errorCount = `${set.errors.length} error${set.errors.length === 1 ? "" : "s"}`;
  lines.push(`${dagCount}, ${errorCount}`);
  return `${lines.join("\n")}\n`;
}
