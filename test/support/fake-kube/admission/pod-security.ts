import { NAMESPACES, PODS } from "../resources.ts";
import { forbidden } from "../status.ts";
import type { ContainerSpec, KubeObject, Pod } from "../types.ts";
import type { ApiContext } from "../api/context.ts";

/**
 * Pod Security Admission's "restricted" level (k8s.io/pod-security-admission), enforced on a
 * namespace labelled `pod-security.kubernetes.io/enforce=restricted`: the checks a plain task Pod
 * trips, worded and ordered as the real plugin words them.
 */
const ENFORCE = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";

interface SecurityContextShape {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type?: string };
}

const quoted = (names: string[]) => names.map((n) => JSON.stringify(n)).join(", ");
const containersWord = (names: string[]) => (names.length === 1 ? "container" : "containers");
const sc = (c: ContainerSpec) => (c.securityContext ?? {}) as SecurityContextShape;

/** Each violated check as `reason (detail)`, in the plugin's order; empty when the Pod is admitted. */
export function restrictedViolations(pod: Pod): string[] {
  const spec = pod.spec;
  const podSc = (spec.securityContext ?? {}) as SecurityContextShape;
  const containers = [
    ...((spec.initContainers as ContainerSpec[] | undefined) ?? []),
    ...(spec.containers ?? []),
  ];
  const violations: string[] = [];
  const names = (pick: (c: ContainerSpec) => boolean) => containers.filter(pick).map((c) => c.name);

  const privileged = names((c) => sc(c).privileged === true);
  if (privileged.length > 0) {
    violations.push(
      `privileged (${containersWord(privileged)} ${quoted(privileged)} must not set securityContext.privileged=true)`,
    );
  }
  const escalating = names((c) => sc(c).allowPrivilegeEscalation !== false);
  if (escalating.length > 0) {
    violations.push(
      `allowPrivilegeEscalation != false (${containersWord(escalating)} ${quoted(escalating)} must set securityContext.allowPrivilegeEscalation=false)`,
    );
  }
  const capabilityDetails: string[] = [];
  const notDropped = names((c) => !(sc(c).capabilities?.drop ?? []).includes("ALL"));
  if (notDropped.length > 0) {
    capabilityDetails.push(
      `${containersWord(notDropped)} ${quoted(notDropped)} must set securityContext.capabilities.drop=["ALL"]`,
    );
  }
  for (const c of containers) {
    const added = (sc(c).capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
    if (added.length > 0) {
      capabilityDetails.push(
        `container ${JSON.stringify(c.name)} must not include ${quoted(added)} in securityContext.capabilities.add`,
      );
    }
  }
  if (capabilityDetails.length > 0)
    violations.push(`unrestricted capabilities (${capabilityDetails.join("; ")})`);

  const nonRootDetails: string[] = [];
  if (podSc.runAsNonRoot === false)
    nonRootDetails.push("pod must not set securityContext.runAsNonRoot=false");
  const explicitRoot = names((c) => sc(c).runAsNonRoot === false);
  if (explicitRoot.length > 0) {
    nonRootDetails.push(
      `${containersWord(explicitRoot)} ${quoted(explicitRoot)} must not set securityContext.runAsNonRoot=false`,
    );
  }
  if (podSc.runAsNonRoot !== true) {
    const unset = names((c) => sc(c).runAsNonRoot === undefined);
    if (unset.length > 0) {
      nonRootDetails.push(
        `pod or ${containersWord(unset)} ${quoted(unset)} must set securityContext.runAsNonRoot=true`,
      );
    }
  }
  if (nonRootDetails.length > 0) violations.push(`runAsNonRoot != true (${nonRootDetails.join("; ")})`);

  const rootUserDetails: string[] = [];
  if (podSc.runAsUser === 0) rootUserDetails.push("pod must not set runAsUser=0");
  const rootUsers = names((c) => sc(c).runAsUser === 0);
  if (rootUsers.length > 0)
    rootUserDetails.push(`${containersWord(rootUsers)} ${quoted(rootUsers)} must not set runAsUser=0`);
  if (rootUserDetails.length > 0) violations.push(`runAsUser=0 (${rootUserDetails.join("; ")})`);

  const allowed = (type: string | undefined) => type === "RuntimeDefault" || type === "Localhost";
  const seccompDetails: string[] = [];
  const podType = podSc.seccompProfile?.type;
  if (podType !== undefined && !allowed(podType)) {
    seccompDetails.push(`pod must not set securityContext.seccompProfile.type to ${JSON.stringify(podType)}`);
  }
  for (const c of containers) {
    const type = sc(c).seccompProfile?.type;
    if (type !== undefined && !allowed(type)) {
      seccompDetails.push(
        `container ${JSON.stringify(c.name)} must not set securityContext.seccompProfile.type to ${JSON.stringify(type)}`,
      );
    }
  }
  if (!allowed(podType)) {
    const unset = names((c) => sc(c).seccompProfile?.type === undefined);
    if (unset.length > 0) {
      seccompDetails.push(
        `pod or ${containersWord(unset)} ${quoted(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      );
    }
  }
  if (seccompDetails.length > 0) violations.push(`seccompProfile (${seccompDetails.join("; ")})`);
  return violations;
}

/** Refuses a Pod its namespace's enforce label forbids, with the real 403 message. */
export function admitPodSecurity(ctx: ApiContext, namespace: string, pod: Pod): void {
  const ns = ctx.store.get(NAMESPACES, undefined, namespace) as KubeObject | undefined;
  const labels = ns?.metadata.labels ?? {};
  if (labels[ENFORCE] !== "restricted") return;
  const violations = restrictedViolations(pod);
  if (violations.length === 0) return;
  const version = labels[ENFORCE_VERSION] ?? "latest";
  throw forbidden(
    PODS,
    pod.metadata.name ?? "",
    `violates PodSecurity "restricted:${version}": ${violations.join(", ")}`,
  );
}
