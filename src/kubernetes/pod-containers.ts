import type { V1Container, V1EnvVar } from "@kubernetes/client-node";
import type { ExtraContainer } from "../dags/spec/containers-schema.ts";
import type { EnvVarSource } from "../dags/spec/env-schema.ts";
import { ownValue } from "../store/id-record.ts";

/**
 * A task's env as the core/v1 list, in the order written: a string becomes `value` (its rendered
 * text from `rendered` when given), a reference becomes `valueFrom`, so the Pod carries the
 * reference and Kubernetes reads the Secret's value when the container starts.
 */
export function envList(
  env: Readonly<Record<string, string | EnvVarSource>>,
  rendered?: Readonly<Record<string, string>>,
): V1EnvVar[] {
  return Object.entries(env).map(([name, value]) =>
    typeof value === "string"
      ? { name, value: rendered ? (ownValue(rendered, name) ?? value) : value }
      : { name, valueFrom: value as V1EnvVar["valueFrom"] },
  );
}

/** An init container or sidecar in core/v1 shape; sidecars get `restartPolicy: Always` (native sidecars). */
export function extraContainer(container: ExtraContainer, sidecar: boolean): V1Container {
  const { env, ...rest } = container;
  return {
    ...(rest as V1Container),
    ...(env && Object.keys(env).length > 0 ? { env: envList(env) } : {}),
    ...(sidecar ? { restartPolicy: "Always" } : {}),
  };
}

/**
 * The Pod's initContainers: the task's own init containers in order, then its sidecars (which
 * Kubernetes starts after the init containers before them and keeps running beside the task).
 */
export function initContainersOf(task: {
  initContainers?: readonly ExtraContainer[] | undefined;
  sidecars?: readonly ExtraContainer[] | undefined;
}): V1Container[] {
  return [
    ...(task.initContainers ?? []).map((c) => extraContainer(c, false)),
    ...(task.sidecars ?? []).map((c) => extraContainer(c, true)),
  ];
}
