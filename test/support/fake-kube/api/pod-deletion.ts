import { PODS } from "../resources.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { conflict } from "../status.ts";
import { rfc3339 } from "../time.ts";
import type { Pod } from "../types.ts";

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * kube-apiserver's graceful pod deletion. A pod on a node gets `deletionTimestamp` (now + grace) and stays
 * until the kubelet has stopped its containers; an unscheduled or finished pod, or grace 0, goes at once.
 * Answers with the pod either way, as the real server does.
 */
export function deletePod(store: ObjectStore, namespace: string, name: string, options: DeleteOptions): Pod {
  const pod = store.mustGet(PODS, namespace, name) as Pod;
  const pre = options.preconditions ?? {};
  if (pre.uid && pre.uid !== pod.metadata.uid) {
    throw conflict(
      PODS,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${pod.metadata.uid}`,
    );
  }
  if (pre.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
    throw conflict(
      PODS,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`,
    );
  }
  let grace = options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  if (grace < 0) grace = 1;
  const finished = pod.status.phase === "Succeeded" || pod.status.phase === "Failed";
  if (!pod.spec.nodeName || finished) grace = 0;
  if (pod.metadata.deletionTimestamp && grace >= (pod.metadata.deletionGracePeriodSeconds ?? 0)) return pod;
  if (grace === 0) return store.remove(PODS, namespace, name) as Pod;
  return store.mutate(PODS, namespace, name, (o) => {
    o.metadata.deletionTimestamp = rfc3339(Date.now() + grace * 1000);
    o.metadata.deletionGracePeriodSeconds = grace;
  }) as Pod;
}
