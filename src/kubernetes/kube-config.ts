import type { KubeConfig } from "@kubernetes/client-node";
import { kubeClient } from "./kube-client.ts";

/**
 * Kubernetes access as the daemon finds it: the in-cluster service account when running in a
 * Pod, else KUBECONFIG or ~/.kube/config; and the namespace for tasks that name none (`--namespace`,
 * else the context's, else `default`).
 */
export function loadKubeAccess(
  env: Readonly<Record<string, string | undefined>>,
  namespaceFlag: string | undefined,
): { config: KubeConfig; namespace: string } {
  const config = new (kubeClient().KubeConfig)();
  if (env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
  else config.loadFromDefault();
  const context = config.getContextObject(config.getCurrentContext());
  return { config, namespace: namespaceFlag ?? context?.namespace ?? "default" };
}
