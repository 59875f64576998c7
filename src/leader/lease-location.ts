import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";

/** Where a Pod finds its own namespace (mounted with its service account token). */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/**
 * The lease's namespace: `--lease-namespace`, else the Pod's own (POD_NAMESPACE from the downward
 * API, else the service account's namespace file), else the kubeconfig context's.
 */
export function leaseNamespace(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  kubeconfigNamespace: () => string,
  readNamespaceFile: () => string | undefined = () => readIfPresent(SERVICE_ACCOUNT_NAMESPACE_FILE),
): string {
  return flag || env.POD_NAMESPACE || readNamespaceFile()?.trim() || kubeconfigNamespace();
}

/**
 * This candidate's identity: POD_NAME (stable across container restarts, so a restarted leader takes
 * its lease back at once), else the host name plus a random suffix (two processes never share one).
 */
export function leaderIdentity(
  env: Readonly<Record<string, string | undefined>>,
  hostname: string = os.hostname(),
): string {
  return env.POD_NAME || `${hostname}_${randomBytes(4).toString("hex")}`;
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
