/**
 * The steps a git sync's time is split into (the sync record's `steps`): `ls-remote` (only to learn
 * the remote's default branch), `fetch` (fetch + the commit's details), `snapshot` (the commit's
 * worktree) and `diff` (changed paths), which run at the same time, `load` and `apply`.
 */
export const SYNC_STEP_NAMES = ["ls-remote", "fetch", "snapshot", "diff", "load", "apply"] as const;
export type SyncStepName = (typeof SYNC_STEP_NAMES)[number];

/** Milliseconds per step of one sync, in the order the steps ran. */
export type SyncStepTimes = Partial<Record<SyncStepName, number>>;

/** Times the steps of one sync with `performance.now()`: what the record's `steps` shows. */
export class SyncStepTimer {
  readonly times: SyncStepTimes = {};

  async time<T>(name: SyncStepName, work: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.times[name] = Math.round(((this.times[name] ?? 0) + performance.now() - started) * 10) / 10;
    }
  }
}
