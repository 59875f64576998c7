import { parseDuration } from "../dags/spec/duration.ts";
import { DEFAULT_LEASE_TIMING, type LeaseTiming, leaseTimingProblem } from "../leader/leader-elector.ts";
import { type FlagDefinition, UsageError } from "./flags.ts";

/** `updraft run`'s leader election settings. */
export interface LeaderElectionConfig {
  enabled: boolean;
  leaseName: string;
  /** `--lease-namespace`; when unset the daemon's own namespace is found at start-up. */
  leaseNamespace: string | undefined;
  timing: LeaseTiming;
}

const seconds = (ms: number) => `${ms / 1000}s`;

/** Leader election on a coordination.k8s.io/v1 Lease: at most one replica schedules. */
export const LEADER_FLAGS: readonly FlagDefinition[] = [
  {
    name: "leader-elect",
    type: "string",
    description: "true or false: only the replica holding the Lease schedules; the others serve read-only.",
    defaultText: "`true` with the kubernetes executor, else `false`",
  },
  { name: "lease-name", type: "string", default: "updraft-leader", description: "Name of the Lease." },
  {
    name: "lease-namespace",
    type: "string",
    description: "Namespace of the Lease.",
    defaultText: "`POD_NAMESPACE`, else the service account's namespace, else the kubeconfig context's",
  },
  {
    name: "lease-duration",
    type: "string",
    default: seconds(DEFAULT_LEASE_TIMING.leaseDurationMs),
    description: "Advanced: how long standbys wait after the Lease last changed before taking over.",
  },
  {
    name: "renew-deadline",
    type: "string",
    default: seconds(DEFAULT_LEASE_TIMING.renewDeadlineMs),
    description: "Advanced: a leader that has not renewed the Lease for this long stops scheduling.",
  },
  {
    name: "retry-period",
    type: "string",
    default: seconds(DEFAULT_LEASE_TIMING.retryPeriodMs),
    description: "Advanced: how often the leader renews and standbys try to acquire the Lease.",
  },
];

export function leaderElectionFrom(
  text: (name: string) => string | undefined,
  executor: "local" | "kubernetes",
): { leaderElection: LeaderElectionConfig } {
  const elect = text("leader-elect");
  if (elect !== undefined && !/^(true|false)$/i.test(elect))
    throw new UsageError(`--leader-elect: "${elect}" is not true or false`);
  const duration = (name: string, fallback: number) => {
    const value = text(name);
    if (value === undefined) return fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms < 1)
      throw new UsageError(`--${name}: "${value}" is not a duration (e.g. "2s")`);
    return ms;
  };
  const timing: LeaseTiming = {
    leaseDurationMs: duration("lease-duration", DEFAULT_LEASE_TIMING.leaseDurationMs),
    renewDeadlineMs: duration("renew-deadline", DEFAULT_LEASE_TIMING.renewDeadlineMs),
    retryPeriodMs: duration("retry-period", DEFAULT_LEASE_TIMING.retryPeriodMs),
  };
  if (timing.leaseDurationMs < 1000)
    throw new UsageError(`--lease-duration: "${text("lease-duration")}" is shorter than 1s`);
  const problem = leaseTimingProblem(timing);
  if (problem)
    throw new UsageError(
      `--lease-duration ${seconds(timing.leaseDurationMs)}, --renew-deadline ${seconds(timing.renewDeadlineMs)}, --retry-period ${seconds(timing.retryPeriodMs)}: ${problem}`,
    );
  return {
    leaderElection: {
      enabled: elect === undefined ? executor === "kubernetes" : elect.toLowerCase() === "true",
      leaseName: text("lease-name") ?? "updraft-leader",
      leaseNamespace: text("lease-namespace"),
      timing,
    },
  };
}
