import { randomInt } from "node:crypto";
import type { ContainerSpec, Pod } from "../types.ts";

const GENERATED_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The 5-character suffix kube-apiserver appends to `generateName`. */
export const generatedSuffix = (): string =>
  Array.from({ length: 5 }, () => GENERATED_ALPHABET[randomInt(GENERATED_ALPHABET.length)]).join("");

function defaultPullPolicy(image: string | undefined): string {
  if (!image || image.includes("@")) return "IfNotPresent";
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : "latest";
  return tag === "latest" ? "Always" : "IfNotPresent";
}

function defaultContainer(c: ContainerSpec): void {
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.resources ??= {};
  // A limit without a request means the request equals the limit.
  const limits = c.resources.limits ?? {};
  for (const [name, value] of Object.entries(limits)) {
    c.resources.requests ??= {};
    c.resources.requests[name] ??= value;
  }
}

/** Guaranteed, Burstable or BestEffort, from the containers' requests and limits. */
export function qosClass(containers: ContainerSpec[]): string {
  const any = containers.some(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0,
  );
  if (!any) return "BestEffort";
  const guaranteed = containers.every((c) =>
    ["cpu", "memory"].every((r) => {
      const limit = c.resources?.limits?.[r];
      return limit !== undefined && c.resources?.requests?.[r] === limit;
    }),
  );
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** The projected token volume the ServiceAccount admission plugin adds to every pod that automounts. */
function mountServiceAccountToken(pod: Pod): void {
  if (pod.spec.automountServiceAccountToken === false) return;
  const name = `kube-api-access-${generatedSuffix()}`;
  pod.spec.volumes = [
    ...(pod.spec.volumes ?? []),
    {
      name,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
          { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          {
            downwardAPI: {
              items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
            },
          },
        ],
      },
    },
  ];
  for (const c of pod.spec.containers ?? []) {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT }];
  }
}

/** SetDefaults_Pod plus the default admission plugins: what a created pod looks like before validation. */
export function defaultPod(pod: Pod): void {
  const spec = (pod.spec ??= { containers: [] });
  spec.restartPolicy ||= "Always";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.serviceAccountName ||= (spec.serviceAccount as string | undefined) || "default";
  spec.serviceAccount = spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= "PreemptLowerPriority";
  spec.tolerations = [
    ...(spec.tolerations ?? []),
    ...["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
      .filter((key) => !(spec.tolerations ?? []).some((t) => (t as { key?: string }).key === key))
      .map((key) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 })),
  ];
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    for (const source of ["secret", "configMap"]) {
      const s = v[source] as { defaultMode?: number } | undefined;
      if (s) s.defaultMode ??= 420;
    }
  }
  if (Array.isArray(spec.containers) && spec.containers.length > 0) mountServiceAccountToken(pod);
  pod.status = { phase: "Pending", qosClass: qosClass(spec.containers ?? []) };
}
