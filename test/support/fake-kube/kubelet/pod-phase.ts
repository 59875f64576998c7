import type { ContainerStatus, PodStatus } from "../types.ts";

/** The container statuses a phase is read from; `sidecars` names the native sidecars among the init ones. */
export interface PhaseInput {
  restartPolicy: string;
  containers: ContainerStatus[];
  initContainers: ContainerStatus[];
  sidecars: ReadonlySet<string>;
}

/** Regular init containers not yet through, and whether one failed for good. */
function initProgress(input: PhaseInput): { pending: number; failed: number } {
  let pending = 0;
  let failed = 0;
  for (const c of input.initContainers) {
    if (input.sidecars.has(c.name)) continue;
    const code =
      c.state.terminated?.exitCode ?? (c.state.waiting ? c.lastState.terminated?.exitCode : undefined);
    if (code === undefined) pending++;
    else if (code !== 0) failed++;
  }
  return { pending, failed };
}

/**
 * The kubelet's getPhase (Kubernetes ≥ 1.29, native sidecars on): a regular init container that failed
 * under restartPolicy Never fails the pod; while init containers are pending the pod is Pending; a
 * running native sidecar counts as running, a stopped one not at all, so once the sidecars are stopped
 * the phase is the main containers'.
 */
export function podPhase(input: PhaseInput): PodStatus["phase"] {
  const init = initProgress(input);
  let pendingSidecars = 0;
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of input.initContainers) {
    if (!input.sidecars.has(c.name)) continue;
    if (c.state.running) {
      if (!c.started) pendingSidecars++;
      running++;
    } else if (c.state.waiting && !c.lastState.terminated) {
      pendingSidecars++;
      waiting++;
    }
  }
  for (const c of input.containers) {
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState.terminated) stopped++;
    else waiting++;
  }
  if (init.failed > 0 && input.restartPolicy === "Never") return "Failed";
  if (init.pending > 0 || pendingSidecars > 0) return "Pending";
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped === 0) return "Pending";
  if (input.restartPolicy === "Always") return "Running";
  if (stopped === succeeded) return "Succeeded";
  if (input.restartPolicy === "Never") return "Failed";
  return "Running";
}

/** Init containers not through yet (regular: not completed; sidecars: not started), for `Initialized`. */
export function incompleteInit(input: PhaseInput): string[] {
  return input.initContainers
    .filter((c) =>
      input.sidecars.has(c.name)
        ? !(c.started || c.lastState.terminated || c.state.terminated)
        : c.state.terminated?.exitCode !== 0,
    )
    .map((c) => c.name);
}
