import type { KubeConfig, V1Lease } from "@kubernetes/client-node";
import { kubeClient } from "./kube-client.ts";
import { reuseConnections } from "./connection-reuse.ts";
import type { RequestLimiter } from "./request-limiter.ts";
import {
  LeaseConflictError,
  type LeaseApi,
  type LeaseRecord,
  type StoredLease,
} from "../leader/lease-api.ts";

/**
 * LeaseApi over the official client's CoordinationV1Api: the only place in src/leader that talks to
 * it. Each call takes a token from `limiter` ahead of every waiting request: a renewal stuck behind
 * a burst of Pod creates would cost the leadership.
 */
export function createKubeLeaseApi(
  config: KubeConfig,
  namespace: string,
  name: string,
  limiter?: RequestLimiter,
): LeaseApi {
  const { CoordinationV1Api, V1MicroTime } = kubeClient();
  const api = reuseConnections(config).makeApiClient(CoordinationV1Api);
  const urgent = async <T>(call: () => Promise<T>): Promise<T> => {
    await limiter?.take({ lane: "lease" });
    return call();
  };
  const body = (record: LeaseRecord, resourceVersion?: string): V1Lease => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name,
      namespace,
      labels: { "app.kubernetes.io/managed-by": "updraft" },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      leaseTransitions: record.leaseTransitions,
      // MicroTime: the API server parses exactly six fraction digits, which V1MicroTime writes.
      ...(record.acquireTime ? { acquireTime: new V1MicroTime(record.acquireTime.getTime()) } : {}),
      ...(record.renewTime ? { renewTime: new V1MicroTime(record.renewTime.getTime()) } : {}),
    },
  });
  const conflictsBecome = async (write: () => Promise<V1Lease>): Promise<StoredLease> => {
    try {
      return storedLease(await write());
    } catch (error) {
      if (statusOf(error) === 409)
        throw new LeaseConflictError(`lease ${namespace}/${name} was written by another candidate first`, {
          cause: error,
        });
      throw error;
    }
  };
  return {
    description: `${namespace}/${name}`,
    async get() {
      try {
        return storedLease(await urgent(() => api.readNamespacedLease({ namespace, name })));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    create: (record) =>
      conflictsBecome(() => urgent(() => api.createNamespacedLease({ namespace, body: body(record) }))),
    replace: (record, resourceVersion) =>
      conflictsBecome(() =>
        urgent(() => api.replaceNamespacedLease({ namespace, name, body: body(record, resourceVersion) })),
      ),
  };
}

function statusOf(error: unknown): number | undefined {
  return error instanceof kubeClient().ApiException ? error.code : undefined;
}

/** The client leaves MicroTime fields as the JSON strings it received; either form is read here. */
function timeOf(value: Date | string | undefined): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function storedLease(lease: V1Lease): StoredLease {
  const spec = lease.spec ?? {};
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? "",
    record: {
      holderIdentity: spec.holderIdentity ?? "",
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: timeOf(spec.acquireTime),
      renewTime: timeOf(spec.renewTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
  };
}
