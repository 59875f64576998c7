import type { V1Container, V1Pod, V1PodSpec, V1Volume } from "@kubernetes/client-node";
import { UPDRAFT_ENV_NAMES } from "../dags/spec/env-schema.ts";
import type { TaskLaunch } from "../executor/executor.ts";
import { envList, initContainersOf } from "./pod-containers.ts";
import { podNameFor } from "./pod-names.ts";
import { taskAnnotations, taskLabels } from "./task-labels.ts";

/** The task's container in its Pod; KubernetesPodOperator users know it by this name. */
export const CONTAINER = "base";

const RESERVED_ENV = new Set<string>(UPDRAFT_ENV_NAMES);

/**
 * The Pod for one try: every `pod({...})` field in its Kubernetes place, `restartPolicy: Never`
 * (retries are the scheduler's, each a new Pod), updraft's labels over the user's, updraft's
 * UPDRAFT_* variables last (they win over envFrom too; the task's env cannot name them).
 */
export function buildPod(launch: TaskLaunch, defaultNamespace: string): V1Pod {
  const { task } = launch;
  const namespace = task.namespace ?? defaultNamespace;
  const userEnv = envList(task.env, launch.env).filter((v) => !RESERVED_ENV.has(v.name));
  const initContainers = initContainersOf(task);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: podNameFor(launch),
      namespace,
      labels: { ...task.labels, ...taskLabels(launch) },
      annotations: { ...task.annotations, ...taskAnnotations(launch) },
    },
    spec: {
      restartPolicy: "Never",
      containers: [
        {
          name: CONTAINER,
          image: task.image,
          ...(launch.command.length > 0 ? { command: launch.command } : {}),
          ...(launch.args.length > 0 ? { args: launch.args } : {}),
          ...(task.imagePullPolicy ? { imagePullPolicy: task.imagePullPolicy } : {}),
          ...(task.envFrom?.length ? { envFrom: task.envFrom } : {}),
          env: [
            ...userEnv,
            { name: "UPDRAFT_DAG_ID", value: launch.dagId },
            { name: "UPDRAFT_RUN_ID", value: launch.runId },
            { name: "UPDRAFT_TASK_ID", value: launch.taskId },
            { name: "UPDRAFT_TRY_NUMBER", value: String(launch.try) },
            { name: "UPDRAFT_LOGICAL_DATE", value: launch.logicalDate },
          ],
          ...(task.volumeMounts.length > 0 ? { volumeMounts: task.volumeMounts } : {}),
          ...(Object.keys(task.resources).length > 0 ? { resources: task.resources } : {}),
          ...(task.securityContext
            ? { securityContext: task.securityContext as V1Container["securityContext"] }
            : {}),
        },
      ],
      ...(initContainers.length > 0 ? { initContainers } : {}),
      // Validated against Kubernetes' rules at load time; passed through with its own field names.
      ...(task.volumes.length > 0 ? { volumes: task.volumes as V1Volume[] } : {}),
      ...(task.imagePullSecrets.length > 0 ? { imagePullSecrets: task.imagePullSecrets } : {}),
      ...(Object.keys(task.nodeSelector).length > 0 ? { nodeSelector: task.nodeSelector } : {}),
      ...(task.tolerations.length > 0 ? { tolerations: task.tolerations } : {}),
      ...(task.affinity ? { affinity: task.affinity } : {}),
      ...(task.serviceAccountName ? { serviceAccountName: task.serviceAccountName } : {}),
      ...(task.podSecurityContext
        ? { securityContext: task.podSecurityContext as V1PodSpec["securityContext"] }
        : {}),
      ...optionalPodFields(task),
    },
  };
}

/** Point-4 fields of issue 14, each only when the task gives it. */
function optionalPodFields(task: TaskLaunch["task"]): Partial<V1PodSpec> {
  return {
    ...(task.priorityClassName ? { priorityClassName: task.priorityClassName } : {}),
    ...(task.runtimeClassName ? { runtimeClassName: task.runtimeClassName } : {}),
    ...(task.topologySpreadConstraints?.length
      ? { topologySpreadConstraints: task.topologySpreadConstraints }
      : {}),
    ...(task.hostAliases?.length ? { hostAliases: task.hostAliases } : {}),
    ...(task.dnsPolicy ? { dnsPolicy: task.dnsPolicy } : {}),
    ...(task.dnsConfig ? { dnsConfig: task.dnsConfig } : {}),
  };
}
