import { type LeaseTiming, leaseTimingProblem } from "../leader/leader-elector.ts";
import { UsageError } from "./flags.ts";
import type { RunFlagValues } from "./run-flags.ts";

/** `updraft run`'s leader election settings. */
export interface LeaderElectionConfig {
  enabled: boolean;
  leaseName: string;
  /** `--lease-namespace`; when unset the daemon's own namespace is found at start-up. */
  leaseNamespace: string | undefined;
  timing: LeaseTiming;
}

const seconds = (ms: number) => `${ms / 1000}s`;

/** The leader flags together: timings client-go would refuse, and electing by default on Kubernetes. */
export function leaderElectionFrom(
  values: RunFlagValues,
  executor: "local" | "kubernetes",
): LeaderElectionConfig {
  const timing: LeaseTiming = {
    leaseDurationMs: values["lease-duration"],
    renewDeadlineMs: values["renew-deadline"],
    retryPeriodMs: values["retry-period"],
  };
  const problem = leaseTimingProblem(timing);
  if (problem)
    throw new UsageError(
      `--lease-duration ${seconds(timing.leaseDurationMs)}, --renew-deadline ${seconds(timing.renewDeadlineMs)}, --retry-period ${seconds(timing.retryPeriodMs)}: ${problem}`,
    );
  return {
    enabled: values["leader-elect"] ?? executor === "kubernetes",
    leaseName: values["lease-name"],
    leaseNamespace: values["lease-namespace"],
    timing,
  };
}
