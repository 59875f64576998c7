import type { DagDefinition, TaskDefinition } from "../dags/spec/dag-schema.ts";

/**
 * What the local executor cannot give a task: env values that reference a Secret, a ConfigMap or
 * the Pod (only the kubelet resolves them), envFrom sources, init containers and sidecars. The
 * variables are left unset; nothing is guessed or read from a cluster.
 */
export function unresolvedEnv(task: TaskDefinition): string[] {
  const refs = Object.entries(task.env).flatMap(([name, value]) => {
    if (typeof value === "string") return [];
    const [kind, ref] = Object.entries(value)[0] ?? [];
    const target = ref && "name" in ref ? ` ${ref.name}/${ref.key}` : "";
    return [`${name} (${kind}${target})`];
  });
  const envFrom = (task.envFrom ?? []).map((source) =>
    source.secretRef
      ? `envFrom secretRef ${source.secretRef.name}`
      : `envFrom configMapRef ${source.configMapRef?.name}`,
  );
  return [...refs, ...envFrom];
}

/** One run note per task whose env the local executor leaves unset, or whose extra containers it skips. */
export function localExecutorNotes(dag: Pick<DagDefinition, "tasks">): string[] {
  return dag.tasks.flatMap((task) => {
    const notes: string[] = [];
    const unresolved = unresolvedEnv(task);
    if (unresolved.length > 0) {
      notes.push(
        `local executor: task "${task.id}" runs without ${unresolved.join(", ")}: Secret, ConfigMap and Pod references are resolved only in a Kubernetes Pod`,
      );
    }
    const extra = [...(task.initContainers ?? []), ...(task.sidecars ?? [])].map((c) => c.name);
    if (extra.length > 0) {
      notes.push(
        `local executor: task "${task.id}" runs without its init containers and sidecars (${extra.join(", ")})`,
      );
    }
    return notes;
  });
}
