import type { ContainerStatus, PodCondition, PodStatus } from "../types.ts";

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
  qosClass?: string;
}

type Phase = PodStatus["phase"];

/** The kubelet's getPhase for pods without init containers. */
export function podPhase(restartPolicy: string, containers: ContainerStatus[]): Phase {
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of containers) {
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped === 0) return "Pending";
  if (restartPolicy === "Always") return "Running";
  if (stopped === succeeded) return "Succeeded";
  if (restartPolicy === "Never") return "Failed";
  return "Running";
}

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
  const phase: Phase = view.failure ? "Failed" : podPhase(view.restartPolicy, view.containers);
  const terminal = phase === "Succeeded" || phase === "Failed";
  const unready = view.containers.filter((c) => !c.ready).map((c) => c.name);
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
    condition(c, now, "Initialized", true),
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
    containerStatuses: view.containers.map((s) => structuredClone(s)),
    ...(view.qosClass ? { qosClass: view.qosClass } : {}),
    ...(view.failure ? { reason: view.failure.reason, message: view.failure.message } : {}),
  };
}
