/** `--max-conf-bytes` default: 64 KiB. */
export const DEFAULT_MAX_CONF_BYTES = 65_536;
/** `--max-queued-runs` default. */
export const DEFAULT_MAX_QUEUED_RUNS = 100;

/** Bounds on what a request may add to the daemon's state (`--max-conf-bytes`, `--max-queued-runs`). */
export interface RunLimits {
  maxConfBytes: number;
  maxQueuedRuns: number;
}
