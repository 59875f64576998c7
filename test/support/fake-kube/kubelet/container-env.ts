import type { ContainerSpec, Pod } from "../types.ts";
import { parseQuantity, quantityValue } from "../validation/quantity.ts";

/** Secrets and ConfigMaps the fake knows the data of; anything else exists unless its name starts with `missing`. */
export interface ConfigData {
  secrets: Record<string, Record<string, string>>;
  configMaps: Record<string, Record<string, string>>;
}

export type EnvResult = { env: Record<string, string> } | { error: string };

/** Kubelet's `$(VAR)` expansion: defined variables are replaced, `$$` is a literal `$`, the rest is left alone. */
export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) => {
    if (whole === "$$") return "$";
    return name !== undefined && Object.hasOwn(vars, name) ? (vars[name] ?? "") : whole;
  });
}

function fieldValue(pod: Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return pod.metadata[m[1] as "labels" | "annotations"]?.[m[2] ?? ""] ?? "";
  const values: Record<string, string | undefined> = {
    "metadata.name": pod.metadata.name,
    "metadata.namespace": pod.metadata.namespace,
    "metadata.uid": pod.metadata.uid,
    "spec.nodeName": pod.spec.nodeName,
    "spec.serviceAccountName": pod.spec.serviceAccountName,
    "status.hostIP": pod.status.hostIP,
    "status.hostIPs": pod.status.hostIP,
    "status.podIP": pod.status.podIP,
    "status.podIPs": pod.status.podIP,
  };
  return values[path] ?? "";
}

function resourceValue(container: ContainerSpec, resource: string): string {
  const [kind, name = ""] = resource.split(".") as ["limits" | "requests", string];
  const value = container.resources?.[kind]?.[name];
  const q = value === undefined ? undefined : parseQuantity(value);
  if (!q || "error" in q) return name === "cpu" ? "1" : "0";
  return String(name === "cpu" ? Math.ceil(quantityValue(q)) : Math.round(quantityValue(q)));
}

type Lookup = { value: string } | { error: string } | { skip: true };

function lookup(
  data: ConfigData,
  kind: "Secret" | "ConfigMap",
  namespace: string,
  ref: { name: string; key?: string; optional?: boolean },
): Lookup {
  const table = kind === "Secret" ? data.secrets : data.configMaps;
  const known = table[`${namespace}/${ref.name}`] ?? table[ref.name];
  const lower = kind === "Secret" ? "secret" : "configmap";
  if (!known && ref.name.startsWith("missing")) {
    return ref.optional ? { skip: true } : { error: `${lower} "${ref.name}" not found` };
  }
  if (ref.key === undefined) return { value: "" };
  if (!known) return { value: `fake-${lower}-${ref.name}-${ref.key}` };
  const value = known[ref.key];
  if (value !== undefined) return { value };
  return ref.optional
    ? { skip: true }
    : { error: `couldn't find key ${ref.key} in ${kind} ${namespace}/${ref.name}` };
}

/**
 * The container's environment: `base` (PATH, HOSTNAME, the API server's address), then envFrom, then env in
 * order with `$(VAR)` expansion. A missing Secret or ConfigMap is the CreateContainerConfigError message.
 */
export function containerEnv(
  pod: Pod,
  container: ContainerSpec,
  base: Record<string, string>,
  data: ConfigData,
): EnvResult {
  const namespace = pod.metadata.namespace ?? "default";
  const env: Record<string, string> = { ...base };
  for (const from of container.envFrom ?? []) {
    const [kind, ref] = from.secretRef
      ? (["Secret", from.secretRef] as const)
      : (["ConfigMap", from.configMapRef] as const);
    if (!ref) continue;
    const found = lookup(data, kind, namespace, ref);
    if ("error" in found) return found;
    const table = kind === "Secret" ? data.secrets : data.configMaps;
    for (const [k, v] of Object.entries(table[`${namespace}/${ref.name}`] ?? table[ref.name] ?? {})) {
      env[`${from.prefix ?? ""}${k}`] = v;
    }
  }
  for (const v of container.env ?? []) {
    const from = v.valueFrom;
    if (!from) {
      env[v.name] = expand(v.value ?? "", env);
      continue;
    }
    let found: Lookup;
    if (from.fieldRef) found = { value: fieldValue(pod, from.fieldRef.fieldPath) };
    else if (from.resourceFieldRef)
      found = { value: resourceValue(container, from.resourceFieldRef.resource) };
    else if (from.secretKeyRef) found = lookup(data, "Secret", namespace, from.secretKeyRef);
    else if (from.configMapKeyRef) found = lookup(data, "ConfigMap", namespace, from.configMapKeyRef);
    else found = { skip: true };
    if ("error" in found) return found;
    if ("value" in found) env[v.name] = found.value;
  }
  return { env };
}

/** Volumes the pod cannot mount: secrets and config maps named `missing…` (unless optional). */
export function missingVolume(pod: Pod): { volume: string; message: string } | undefined {
  for (const v of pod.spec.volumes ?? []) {
    const secret = v.secret as { secretName?: string; optional?: boolean } | undefined;
    const configMap = v.configMap as { name?: string; optional?: boolean } | undefined;
    if (secret?.secretName?.startsWith("missing") && !secret.optional) {
      return { volume: v.name, message: `secret "${secret.secretName}" not found` };
    }
    if (configMap?.name?.startsWith("missing") && !configMap.optional) {
      return { volume: v.name, message: `configmap "${configMap.name}" not found` };
    }
  }
  return undefined;
}
