import path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeClient } from "./kube-client.ts";

/**
 * Kubernetes access as the daemon finds it: the in-cluster service account when running in a
 * Pod, else KUBECONFIG or ~/.kube/config; and the namespace for tasks that name none (`--namespace`,
 * else the context's, else `default`). `env` is the daemon's environment: its KUBECONFIG wins.
 */
export function loadKubeAccess(
  env: Readonly<Record<string, string | undefined>>,
  namespaceFlag: string | undefined,
): { config: KubeConfig; namespace: string } {
  const config = new (kubeClient().KubeConfig)();
  const kubeconfigs = (env.KUBECONFIG ?? "").split(path.delimiter).filter(Boolean);
  if (env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
  else if (kubeconfigs.length > 0) loadFiles(config, kubeconfigs);
  // The client's own search: ~/.kube/config, a service account, else localhost:8080.
  else config.loadFromDefault();
  const context = config.getContextObject(config.getCurrentContext());
  return { config, namespace: namespaceFlag ?? context?.namespace ?? "default" };
}

/** As kubectl merges a KUBECONFIG list: the first file's current context, the others' entries added. */
function loadFiles(config: KubeConfig, [first, ...rest]: string[]): void {
  if (first) config.loadFromFile(first);
  for (const file of rest) {
    const more = new (kubeClient().KubeConfig)();
    more.loadFromFile(file);
    config.mergeConfig(more);
  }
}
