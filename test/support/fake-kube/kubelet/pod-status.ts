import type { ContainerStatus, PodCondition, PodStatus } from "../types.ts";
import { incompleteInit, podPhase } from "./pod-phase.ts";

/** What the kubelet knows about a pod it runs, from which it writes `status`. */
export interface PodView {
  restartPolicy: string;
  hostIP: string;
  podIP?: string;
  startTime: string;
  sandboxReady: boolean;
  /** Set when the kubelet itself failed the pod (evicted, deadline exceeded). */
  failure?: { reason: string; message: string; disruption?: boolean };
  containers: ContainerStatus[];
  /** In spec order; `sidecars` names the native sidecars (restartPolicy Always) among them. */
  initContainers: ContainerStatus[];
  sidecars: ReadonlySet<string>;
  qosClass?: string;
}

type Phase = PodStatus["phase"];

function condition(
  previous: PodCondition[] | undefined,
  now: string,
  type: string,
  ok: boolean,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? "True" : "False";
  const before = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** The status the kubelet writes: phase, conditions in the real order, IPs, container statuses. */
export function buildStatus(view: PodView, previous: PodStatus, now: string): PodStatus {
  const phase: Phase = view.failure ? "Failed" : podPhase(view);
  const terminal = phase === "Succeeded" || phase === "Failed";
  const incomplete = incompleteInit(view);
  const sidecars = view.initContainers.filter((c) => view.sidecars.has(c.name));
  const unready = [...sidecars, ...view.containers].filter((c) => !c.ready).map((c) => c.name);
  const ready = unready.length === 0 && !terminal;
  const [notReadyReason, notReadyMessage] = terminal
    ? ["PodCompleted", undefined]
    : ["ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`];
  const c = previous.conditions;
  const conditions: PodCondition[] = [
    ...(view.failure?.disruption
      ? [condition(c, now, "DisruptionTarget", true, "TerminationByKubelet", view.failure.message)]
      : []),
    condition(c, now, "PodReadyToStartContainers", view.sandboxReady && !terminal),
    condition(
      c,
      now,
      "Initialized",
      incomplete.length === 0,
      incomplete.length === 0 ? undefined : "ContainersNotInitialized",
      incomplete.length === 0 ? undefined : `containers with incomplete status: [${incomplete.join(" ")}]`,
    ),
    condition(
      c,
      now,
      "Ready",
      ready,
      ready ? undefined : notReadyReason,
      ready ? undefined : notReadyMessage,
    ),
    condition(
      c,
      now,
      "ContainersReady",
      ready,
      ready ? undefined : notReadyReason,
      ready ? undefined : notReadyMessage,
    ),
    condition(c, now, "PodScheduled", true),
  ];
  return {
    phase,
    conditions,
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    ...(view.podIP ? { podIP: view.podIP, podIPs: [{ ip: view.podIP }] } : {}),
    startTime: view.startTime,
    ...(view.initContainers.length > 0
      ? { initContainerStatuses: view.initContainers.map((s) => structuredClone(s)) }
      : {}),
    containerStatuses: view.containers.map((s) => structuredClone(s)),
    ...(view.qosClass ? { qosClass: view.qosClass } : {}),
    ...(view.failure ? { reason: view.failure.reason, message: view.failure.message } : {}),
  };
}
