import type { RunConfig } from "../config/run-config.ts";
import { createClusterElector } from "../kubernetes/cluster-elector.ts";
import type { Clock } from "../leader/clock.ts";
import { LeaderRole } from "../leader/leader-role.ts";
import type { LeaderView } from "../leader/leader-view.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { RequestLimiter } from "../kubernetes/request-limiter.ts";
import type { Logger } from "../log/logger.ts";
import type { RunStore } from "../store/run-store.ts";
import { StateDirLock } from "../store/state-dir-lock.ts";
import type { LeaderDuties } from "./leader-duties.ts";

export interface LeadershipParts {
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  log: Logger;
  store: Pick<RunStore, "load">;
  duties: LeaderDuties;
  onLost: (reason: string) => void;
  /** Told this replica's view after each change of leadership (`leadership:changed`). */
  events?: Pick<DaemonEventBus, "emit">;
  /** The API server request budget the Lease calls share with the executor (they go first). */
  kubeRequests?: RequestLimiter;
}

/** This replica's role and its hold on the state dir. */
export interface Leadership {
  role: LeaderRole;
  /**
   * At start-up: without leader election, takes the state dir lock, then reads the state as its
   * owner; with it, only reads (this replica owns the state dir once it leads, and reads it again then).
   */
  openStateDir(): Promise<void>;
  releaseStateDir(): Promise<void>;
}

/**
 * Only the replica holding the Lease schedules; standbys serve read-only. A standby syncs only a
 * local folder: a git mirror and its snapshots live in the state dir, which replicas may share.
 * One daemon per state dir; under leader election only the leader holds its lock.
 */
export function createLeadership(
  config: Pick<RunConfig, "leaderElection" | "stateDir" | "intervalMs">,
  parts: LeadershipParts,
): Leadership {
  const { env, clock, log, store, duties } = parts;
  let lock: StateDirLock | undefined;
  const claimStateDir = async () => {
    const { lease, identity } = role.logFields();
    lock ??= new StateDirLock(config.stateDir, { lease, identity });
    const { tookOverFrom } = await lock.acquire();
    if (tookOverFrom)
      log.warn(
        { lock: lock.file, holder: tookOverFrom },
        "took over the state dir lock of a daemon that is gone",
      );
  };
  const role: LeaderRole = new LeaderRole({
    ...(config.leaderElection.enabled
      ? {
          elect: (onEvent) =>
            createClusterElector(config.leaderElection, env, clock, onEvent, parts.kubeRequests),
        }
      : {}),
    log,
    loadState: (owner) => store.load({ owner }),
    claimState: claimStateDir,
    startLeading: () => duties.startLeading(),
    stopLeading: () => duties.stopLeading(),
    onLost: parts.onLost,
    ...(parts.events
      ? { onChange: (view: LeaderView) => parts.events?.emit("leadership:changed", view) }
      : {}),
    refreshMs: config.intervalMs,
  });
  const openStateDir = async () => {
    const elected = config.leaderElection.enabled;
    // Before the store loads: a second daemon stops here (StateDirLockedError), naming the holder.
    if (!elected) await claimStateDir();
    // A corrupt state file stops start-up here, before anything could overwrite it.
    await store.load({ owner: !elected });
  };
  return { role, openStateDir, releaseStateDir: async () => lock?.release() };
}
