/** How long the simulated scheduler, kubelet and runtime take; small by default so tests are quick. */
export interface KubeletTimings {
  /** Pod created → bound to the node (or found unschedulable). */
  scheduleMs: number;
  /** A pull with `imagePullPolicy: Always` (or a pull that fails). */
  pullMs: number;
  /** ContainerCreating → running, after the image is there. */
  createMs: number;
  /** First retry after ErrImagePull (doubles up to maxBackoffMs); also the CrashLoopBackOff start. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Retries of scheduling, mounting and CreateContainerConfigError. */
  retryMs: number;
  /** How long a `fake/oom` container runs before it is OOM-killed. */
  oomAfterMs: number;
  /** How long a `fake/exit:<code>` container runs. */
  fakeExitAfterMs: number;
}

export const DEFAULT_TIMINGS: KubeletTimings = {
  scheduleMs: 5,
  pullMs: 10,
  createMs: 50,
  backoffMs: 100,
  maxBackoffMs: 2000,
  retryMs: 250,
  oomAfterMs: 50,
  fakeExitAfterMs: 20,
};
