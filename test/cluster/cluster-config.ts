import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Where a real cluster's access would come from, as the daemon looks for it (in-cluster service
 * account, else KUBECONFIG, else ~/.kube/config), or why there is none.
 */
export function clusterAccess(
  env: Readonly<Record<string, string | undefined>> = process.env,
): { found: true; source: string } | { found: false; missing: string } {
  if (env.KUBERNETES_SERVICE_HOST) return { found: true, source: "the in-cluster service account" };
  const files = (env.KUBECONFIG ?? "").split(path.delimiter).filter(Boolean);
  const existing = files.filter((file) => existsSync(file));
  if (existing.length > 0) return { found: true, source: `KUBECONFIG=${existing.join(path.delimiter)}` };
  if (files.length > 0)
    return { found: false, missing: `KUBECONFIG names no existing file (${env.KUBECONFIG})` };
  const home = path.join(os.homedir(), ".kube", "config");
  if (existsSync(home)) return { found: true, source: home };
  return {
    found: false,
    missing: `no Kubernetes cluster configured: KUBECONFIG is unset, ${home} does not exist and this is not a Pod (KUBERNETES_SERVICE_HOST unset)`,
  };
}
