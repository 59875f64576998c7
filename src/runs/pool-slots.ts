/** One `--pool` as the status API, the page and `/metrics` show it. */
export interface PoolUsage {
  name: string;
  /** `--pool NAME=N`: N. */
  slots: number;
  /** Tries holding a slot: queued to start or running. */
  used: number;
  /** Tries ready to start that wait for a slot. */
  queued: number;
}
