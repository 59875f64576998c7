import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";

/** An init container's status, and whether it is a native sidecar (`restartPolicy: Always`). */
export interface InitStatus {
  status: V1ContainerStatus;
  sidecar: boolean;
}

/** How a message names an init container: users declare sidecars apart from init containers. */
export const initLabel = ({ status, sidecar }: InitStatus): string =>
  `${sidecar ? "sidecar" : "init container"} "${status.name}"`;

function initStatuses(pod: V1Pod): InitStatus[] {
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name),
  );
  return (pod.status?.initContainerStatuses ?? []).map((status) => ({
    status,
    sidecar: sidecars.has(status.name),
  }));
}

/**
 * The regular init container that failed for good (restartPolicy Never: the Pod cannot start), if
 * any. A native sidecar's exit is never final: the kubelet restarts it.
 */
export function failedInit(pod: V1Pod): InitStatus | undefined {
  const final = (pod.spec?.restartPolicy ?? "Always") === "Never" || pod.status?.phase === "Failed";
  if (!final) return undefined;
  return initStatuses(pod).find((s) => !s.sidecar && (s.status.state?.terminated?.exitCode ?? 0) !== 0);
}

/**
 * The first init container the Pod still waits for (a regular one not completed, a sidecar not yet
 * started): while there is one, the task container waits in PodInitializing, and this one says why.
 */
export function blockingInit(pod: V1Pod): InitStatus | undefined {
  return initStatuses(pod).find(({ status, sidecar }) =>
    sidecar
      ? !(status.started || status.state?.running || status.lastState?.terminated)
      : status.state?.terminated?.exitCode !== 0,
  );
}
