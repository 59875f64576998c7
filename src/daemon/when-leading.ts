import type { DaemonEventBus } from "../events/daemon-events.ts";

/**
 * Starts `start` once the daemon has started and (under leader election) leads: replicas may share
 * the state dir, and work on its files (uploads, sweeps) belongs to the leader only. A replica that
 * loses the lead exits, so there is no pausing again.
 */
export function whenLeading(
  events: Pick<DaemonEventBus, "on">,
  leaderElection: boolean,
  start: () => void,
): () => void {
  let started = false;
  let leading = !leaderElection;
  let ran = false;
  const maybeStart = () => {
    if (!started || !leading || ran) return;
    ran = true;
    start();
  };
  events.on("leadership:changed", (view) => {
    leading = view.isLeader;
    maybeStart();
  });
  return () => {
    started = true;
    maybeStart();
  };
}
