import { describe, expect, it } from "vitest";
import { config, usageError } from "./run-config-helpers.ts";

describe("updraft run: leader election and shutdown flags", () => {
  it("elects by default with the kubernetes executor only, with client-go's timings", () => {
    expect(config(["--dags", "d", "--executor", "kubernetes"]).leaderElection).toEqual({
      enabled: true,
      leaseName: "updraft-leader",
      leaseNamespace: undefined,
      timing: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    });
    expect(config(["--dags", "d"]).leaderElection.enabled).toBe(false);
    expect(config(["--dags", "d"], { KUBERNETES_SERVICE_HOST: "10.0.0.1" }).leaderElection.enabled).toBe(
      true,
    );
    expect(
      config(["--dags", "d", "--executor", "kubernetes", "--leader-elect=false"]).leaderElection.enabled,
    ).toBe(false);
    expect(config(["--dags", "d"], { UPDRAFT_LEADER_ELECT: "TRUE" }).leaderElection.enabled).toBe(true);
    expect(config(["--dags", "d"]).shutdownTimeoutMs).toBe(20_000);
  });

  it("reads names, namespace and timings from flags and UPDRAFT_ variables", () => {
    const settings = config(
      ["--dags", "d", "--lease-name", "sched", "--lease-duration", "6s", "--renew-deadline", "4s"],
      { UPDRAFT_LEASE_NAMESPACE: "ops", UPDRAFT_RETRY_PERIOD: "500ms", UPDRAFT_SHUTDOWN_TIMEOUT: "25s" },
    );
    expect(settings.leaderElection).toMatchObject({
      leaseName: "sched",
      leaseNamespace: "ops",
      timing: { leaseDurationMs: 6000, renewDeadlineMs: 4000, retryPeriodMs: 500 },
    });
    expect(settings.shutdownTimeoutMs).toBe(25_000);
  });

  it("rejects bad values and timings client-go would refuse, naming the flags", () => {
    expect(usageError(() => config(["--dags", "d", "--leader-elect", "maybe"]))).toBe(
      '--leader-elect: "maybe" is not true or false',
    );
    expect(usageError(() => config(["--dags", "d", "--retry-period", "often"]))).toBe(
      '--retry-period: "often" is not a duration (e.g. "2s")',
    );
    expect(usageError(() => config(["--dags", "d", "--lease-duration", "10s"]))).toBe(
      "--lease-duration 10s, --renew-deadline 10s, --retry-period 2s: the lease duration must be longer than the renew deadline",
    );
    expect(usageError(() => config(["--dags", "d", "--retry-period", "9s"]))).toBe(
      "--lease-duration 15s, --renew-deadline 10s, --retry-period 9s: the renew deadline must be longer than 1.2 × the retry period",
    );
    expect(usageError(() => config(["--dags", "d", "--shutdown-timeout", "0s"]))).toBe(
      '--shutdown-timeout: "0s" is not a duration of at least 1s (e.g. "20s")',
    );
  });
});
