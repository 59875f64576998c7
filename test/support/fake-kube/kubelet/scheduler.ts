import type { ContainerSpec, Pod } from "../types.ts";
import { parseQuantity, quantityValue } from "../validation/quantity.ts";
import type { FakeNode } from "./fake-node.ts";
import { imageBehaviour, parseImage } from "./image-behaviour.ts";

export type Placement = { fits: true } | { fits: false; message: string };

interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

const NO_PREEMPTION = "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";

function requirementMet(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const value = labels[r.key];
  switch (r.operator) {
    case "In":
      return value !== undefined && (r.values ?? []).includes(value);
    case "NotIn":
      return value === undefined || !(r.values ?? []).includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
      return value !== undefined && Number(value) > Number(r.values?.[0]);
    case "Lt":
      return value !== undefined && Number(value) < Number(r.values?.[0]);
    default:
      return false;
  }
}

function affinityMatches(pod: Pod, labels: Record<string, string>): boolean {
  const terms = (
    pod.spec.affinity as
      | {
          nodeAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: unknown[] };
          };
        }
      | undefined
  )?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as
    Array<{ matchExpressions?: NodeSelectorRequirement[] }> | undefined;
  if (!terms || terms.length === 0) return true;
  return terms.some((t) => (t.matchExpressions ?? []).every((r) => requirementMet(r, labels)));
}

function tolerated(pod: Pod, taint: FakeNode["taints"][number]): boolean {
  return (pod.spec.tolerations ?? []).some((raw) => {
    const t = raw as { key?: string; operator?: string; value?: string; effect?: string };
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === "Exists";
    return t.key === taint.key && (t.operator === "Exists" || (t.value ?? "") === (taint.value ?? ""));
  });
}

/** Sum of a resource's requests over containers, in base units (cores, bytes). */
export function requested(containers: ContainerSpec[], resource: "cpu" | "memory"): number {
  return containers.reduce((sum, c) => {
    const value = c.resources?.requests?.[resource];
    const q = value === undefined ? undefined : parseQuantity(value);
    return sum + (q && !("error" in q) ? quantityValue(q) : 0);
  }, 0);
}

/**
 * Does the pod fit the node, next to the pods already there? Messages are the scheduler's
 * (`0/1 nodes are available: …`). `fake/unschedulable:*` images never fit.
 */
export function place(pod: Pod, node: FakeNode, others: Pod[]): Placement {
  const unfit = (why: string, preemption = NO_PREEMPTION): Placement => ({
    fits: false,
    message: `0/1 nodes are available: ${why}. ${preemption}`,
  });
  for (const v of pod.spec.volumes ?? []) {
    const claim = (v.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName;
    if (claim?.startsWith("missing")) return unfit(`persistentvolumeclaim "${claim}" not found`);
  }
  const unschedulableImage = pod.spec.containers.some((c) => {
    const ref = parseImage(c.image ?? "");
    return (
      !("error" in ref) &&
      ref.repository === "fake/unschedulable" &&
      imageBehaviour(c.image ?? "").kind === "run"
    );
  });
  const selectorOk = Object.entries(pod.spec.nodeSelector ?? {}).every(([k, v]) => node.labels[k] === v);
  if (unschedulableImage || !selectorOk || !affinityMatches(pod, node.labels)) {
    return unfit("1 node(s) didn't match Pod's node affinity/selector");
  }
  const taint = node.taints.find(
    (t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerated(pod, t),
  );
  if (taint) {
    return unfit(`1 node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
  }
  const noVictims = "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
  if (others.length + 1 > node.allocatable.pods) return unfit("1 Too many pods", noVictims);
  for (const resource of ["cpu", "memory"] as const) {
    const capacity = parseQuantity(node.allocatable[resource]);
    const limit = "error" in capacity ? Infinity : quantityValue(capacity);
    const used = others.reduce((sum, p) => sum + requested(p.spec.containers, resource), 0);
    if (used + requested(pod.spec.containers, resource) > limit)
      return unfit(`1 Insufficient ${resource}`, noVictims);
  }
  return { fits: true };
}
