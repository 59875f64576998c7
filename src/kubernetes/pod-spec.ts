import type { V1Pod, V1Volume } from "@kubernetes/client-node";
import type { TaskLaunch } from "../executor/executor.ts";
import { podNameFor } from "./pod-names.ts";
import { taskAnnotations, taskLabels } from "./task-labels.ts";

/** The one container of a task Pod; KubernetesPodOperator users know it by this name. */
export const CONTAINER = "base";

/**
 * The Pod for one try: every `pod({...})` field in its Kubernetes place, `restartPolicy: Never`
 * (retries are the scheduler's, each a new Pod), updraft's labels over the user's.
 */
export function buildPod(launch: TaskLaunch, defaultNamespace: string): V1Pod {
  const { task } = launch;
  const namespace = task.namespace ?? defaultNamespace;
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
          env: [
            ...Object.entries(launch.env).map(([name, value]) => ({ name, value })),
            { name: "UPDRAFT_DAG_ID", value: launch.dagId },
            { name: "UPDRAFT_RUN_ID", value: launch.runId },
            { name: "UPDRAFT_TASK_ID", value: launch.taskId },
            { name: "UPDRAFT_TRY_NUMBER", value: String(launch.try) },
            { name: "UPDRAFT_LOGICAL_DATE", value: launch.logicalDate },
          ],
          ...(task.volumeMounts.length > 0 ? { volumeMounts: task.volumeMounts } : {}),
          ...(Object.keys(task.resources).length > 0 ? { resources: task.resources } : {}),
        },
      ],
      // Validated against Kubernetes' rules at load time; passed through with its own field names.
      ...(task.volumes.length > 0 ? { volumes: task.volumes as V1Volume[] } : {}),
      ...(task.imagePullSecrets.length > 0 ? { imagePullSecrets: task.imagePullSecrets } : {}),
      ...(Object.keys(task.nodeSelector).length > 0 ? { nodeSelector: task.nodeSelector } : {}),
      ...(task.tolerations.length > 0 ? { tolerations: task.tolerations } : {}),
      ...(task.affinity ? { affinity: task.affinity } : {}),
      ...(task.serviceAccountName ? { serviceAccountName: task.serviceAccountName } : {}),
    },
  };
}
