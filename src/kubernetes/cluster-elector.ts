import type { LeaderElectionConfig } from "../config/leader-flags.ts";
import { loadKubeAccess } from "./kube-config.ts";
import type { Clock } from "../leader/clock.ts";
import { createKubeLeaseApi } from "./kube-lease-api.ts";
import type { RequestLimiter } from "./request-limiter.ts";
import { LeaderElector, type LeadershipEvent } from "../leader/leader-elector.ts";
import { leaderIdentity, leaseNamespace } from "../leader/lease-location.ts";

/** A LeaderElector on the cluster the daemon talks to (in-cluster service account or kubeconfig). */
export function createClusterElector(
  settings: Readonly<LeaderElectionConfig>,
  env: Readonly<Record<string, string | undefined>>,
  clock: Clock,
  onEvent: (event: LeadershipEvent) => void,
  limiter?: RequestLimiter,
): LeaderElector {
  const access = loadKubeAccess(env, undefined);
  const namespace = leaseNamespace(settings.leaseNamespace, env, () => access.namespace);
  return new LeaderElector({
    api: createKubeLeaseApi(access.config, namespace, settings.leaseName, limiter),
    clock,
    identity: leaderIdentity(env),
    timing: settings.timing,
    onEvent,
  });
}
