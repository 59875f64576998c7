import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { blockingInit, failedInit, type InitStatus, initLabel } from "./init-progress.ts";
import { CONTAINER } from "./pod-spec.ts";

/** What a task Pod's status means for its try. */
export type PodVerdict =
  | { kind: "waiting"; reason: string | null }
  | { kind: "running" }
  | { kind: "succeeded" }
  | {
      kind: "failed";
      exitCode: number | null;
      reason: string;
      /** The init container whose failure this is: its log's last lines belong in the reason. */
      initContainer?: string;
    };

export interface VerdictClock {
  /** When the executor first asked for (or adopted) this Pod. */
  startedMs: number;
  nowMs: number;
  startupTimeoutMs: number;
  /** CreateContainerConfigError (a missing Secret or ConfigMap) often heals quickly; wait this long. */
  configErrorGraceMs: number;
}

// Waiting reasons that never heal on their own: fail at once.
const HOPELESS = new Set(["InvalidImageName", "ErrImageNeverPull"]);

/**
 * Reads a Pod's status the way an operator would: terminal phases and container states first,
 * then waiting reasons that will never heal (fail now), then ones that may heal (fail once
 * `startupTimeoutMs` has passed). Only the task container ("base") decides: a sidecar or an
 * injected proxy that runs on after it does not keep the try going. Pure: the clock comes in.
 */
export function podVerdict(pod: V1Pod, clock: VerdictClock): PodVerdict {
  const status = pod.status;
  const container = status?.containerStatuses?.find((c) => c.name === CONTAINER);
  const terminated = container?.state?.terminated;
  if (status?.phase === "Failed" && status.reason === "Evicted") {
    return {
      kind: "failed",
      exitCode: terminated?.exitCode ?? null,
      reason: `evicted: ${status.message ?? "the node evicted the pod"}`,
    };
  }
  const initFailure = terminated ? undefined : failedInit(pod);
  if (initFailure) return initFailedVerdict(initFailure);
  if (terminated || status?.phase === "Succeeded" || status?.phase === "Failed") {
    return terminatedVerdict(container, status?.phase, status?.message);
  }
  if (container?.state?.running) return { kind: "running" };
  // While an init container (or a sidecar) holds the Pod in Init, base only says PodInitializing.
  const blocking = blockingInit(pod);
  const waiting = blocking ? blocking.status.state?.waiting : container?.state?.waiting;
  const waitedMs = clock.nowMs - clock.startedMs;
  const detail = (reason: string, message: string | undefined) =>
    message ? `${reason}: ${message}` : reason;
  const waitingWhy = (reason: string) =>
    `${blocking ? `${initLabel(blocking)}: ` : ""}${detail(reason, waiting?.message)}`;
  if (waiting?.reason && HOPELESS.has(waiting.reason)) {
    return { kind: "failed", exitCode: null, reason: waitingWhy(waiting.reason) };
  }
  if (waiting?.reason === "CreateContainerConfigError" && waitedMs >= clock.configErrorGraceMs) {
    return { kind: "failed", exitCode: null, reason: waitingWhy(waiting.reason) };
  }
  const unschedulable = status?.conditions?.find(
    (c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable",
  );
  const why = unschedulable
    ? detail("Unschedulable", unschedulable.message)
    : waiting?.reason
      ? waitingWhy(waiting.reason)
      : null;
  if (waitedMs >= clock.startupTimeoutMs) {
    const seconds = Math.round(clock.startupTimeoutMs / 1000);
    return {
      kind: "failed",
      exitCode: null,
      reason: `the pod did not start within ${seconds}s (startupTimeout)${why ? `: ${why}` : ""}`,
    };
  }
  return { kind: "waiting", reason: why };
}

/** A regular init container ended non-zero under restartPolicy Never: the task never ran. */
function initFailedVerdict(init: InitStatus): PodVerdict {
  const terminated = init.status.state?.terminated;
  const exitCode = terminated?.exitCode ?? null;
  const why =
    terminated?.reason && terminated.reason !== "Error" && terminated.reason !== "Completed"
      ? ` (${terminated.reason})`
      : "";
  return {
    kind: "failed",
    exitCode,
    reason: `${initLabel(init)} failed with exit code ${exitCode ?? "unknown"}${why}`,
    initContainer: init.status.name,
  };
}

function terminatedVerdict(
  container: V1ContainerStatus | undefined,
  phase: string | undefined,
  message: string | undefined,
): PodVerdict {
  const terminated = container?.state?.terminated;
  const exitCode = terminated?.exitCode ?? null;
  if (exitCode === 0 || (exitCode === null && phase === "Succeeded")) return { kind: "succeeded" };
  if (terminated?.reason === "OOMKilled")
    return {
      kind: "failed",
      exitCode,
      reason: `OOMKilled: the container exceeded its memory limit (exit code ${exitCode ?? 137})`,
    };
  const extra =
    terminated?.reason && terminated.reason !== "Error" && terminated.reason !== "Completed"
      ? ` (${terminated.reason})`
      : "";
  if (exitCode !== null) return { kind: "failed", exitCode, reason: `exit code ${exitCode}${extra}` };
  return { kind: "failed", exitCode: null, reason: `the pod failed${message ? `: ${message}` : ""}` };
}
