import { LEASES } from "../resources.ts";
import { conflict, deleteSuccess } from "../status.ts";
import type { KubeObject } from "../types.ts";
import { invalidError, invalid } from "../validation/field-errors.ts";
import { decodeLease, validateLease } from "../validation/lease-validation.ts";
import { getHandler, listHandler, watchHandler } from "./collection.ts";
import { ok, type ApiContext, type KindHandlers } from "./context.ts";
import { ensureNamespace } from "./namespaces-api.ts";
import { checkNameMatches, clearServerFields, objectBody } from "./object-body.ts";
import { applyPatch } from "./patch.ts";

const KIND = "Lease";
const GROUP = "coordination.k8s.io";

/** PUT (and PATCH): optimistic concurrency on metadata.resourceVersion, which leases require. */
function updateLease(ctx: ApiContext, namespace: string, name: string, input: unknown) {
  const current = ctx.store.mustGet(LEASES, namespace, name);
  const next = objectBody(LEASES, input, namespace);
  checkNameMatches(next, name);
  const rv = next.metadata.resourceVersion;
  if (!rv) {
    throw invalidError(KIND, GROUP, name, [
      invalid("metadata.resourceVersion", "0x0", "must be specified for an update"),
    ]);
  }
  if (rv !== current.metadata.resourceVersion) {
    throw conflict(
      LEASES,
      name,
      "the object has been modified; please apply your changes to the latest version and try again",
    );
  }
  decodeLease(next);
  const errors = validateLease(next);
  if (errors.length > 0) throw invalidError(KIND, GROUP, name, errors);
  const updated: KubeObject = {
    ...next,
    metadata: {
      ...next.metadata,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      namespace,
    },
  };
  return ok(ctx.store.update(LEASES, updated));
}

export const leaseHandlers: KindHandlers = {
  list: listHandler(LEASES),
  watch: watchHandler(LEASES),
  get: getHandler(LEASES),
  create: ({ ctx, info, body }) => {
    const lease = objectBody(LEASES, body, info.namespace);
    ensureNamespace(ctx, info.namespace ?? "");
    clearServerFields(lease);
    delete lease.metadata.resourceVersion;
    decodeLease(lease);
    const errors = validateLease(lease);
    if (errors.length > 0) throw invalidError(KIND, GROUP, lease.metadata.name ?? "", errors);
    lease.spec ??= {};
    return ok(ctx.store.create(LEASES, lease), 201);
  },
  update: ({ ctx, info, body }) => updateLease(ctx, info.namespace ?? "", info.name ?? "", body),
  patch: ({ ctx, info, body, contentType }) => {
    const current = ctx.store.mustGet(LEASES, info.namespace, info.name ?? "");
    return updateLease(ctx, info.namespace ?? "", info.name ?? "", applyPatch(current, body, contentType));
  },
  delete: ({ ctx, info, body }) => {
    const current = ctx.store.mustGet(LEASES, info.namespace, info.name ?? "");
    const pre = (body as { preconditions?: { resourceVersion?: string; uid?: string } } | undefined)
      ?.preconditions;
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        LEASES,
        info.name ?? "",
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    ctx.store.remove(LEASES, info.namespace, info.name ?? "");
    return ok(deleteSuccess(LEASES, info.name ?? "", current.metadata.uid ?? ""));
  },
};
