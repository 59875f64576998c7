/** `/api/status`'s `leader`: whether this replica schedules, under leader election. */
export interface LeaderView {
  enabled: boolean;
  /** This replica schedules and accepts writes (always true without leader election). */
  isLeader: boolean;
  identity: string | null;
  /** Who holds the lease, as last seen; null when nobody does. */
  holder: string | null;
}
