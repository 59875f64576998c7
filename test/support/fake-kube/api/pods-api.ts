import { isDeepStrictEqual } from "node:util";
import { injectIstioProxy } from "../admission/istio-injection.ts";
import { admitPodSecurity } from "../admission/pod-security.ts";
import { PODS } from "../resources.ts";
import { conflict, forbidden, KubeError } from "../status.ts";
import type { KubeObject, Pod, PodSpec } from "../types.ts";
import { forbiddenField, invalidError } from "../validation/field-errors.ts";
import { validateObjectMeta } from "../validation/object-meta.ts";
import { decodePodQuantities } from "../validation/pod-decode.ts";
import { podWarnings, validatePod } from "../validation/pod-validation.ts";
import { getHandler, listHandler, watchHandler } from "./collection.ts";
import { ok, type ApiContext, type Handler, type KindHandlers } from "./context.ts";
import { warningHeader } from "./http-io.ts";
import { ensureNamespace } from "./namespaces-api.ts";
import { checkNameMatches, clearServerFields, objectBody } from "./object-body.ts";
import { applyPatch } from "./patch.ts";
import { defaultPod, generatedSuffix } from "./pod-defaults.ts";
import { deletePod, type DeleteOptions } from "./pod-deletion.ts";

const IMMUTABLE_SPEC_MESSAGE =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

const create: Handler = ({ ctx, info, body }) => {
  const pod = objectBody(PODS, body, info.namespace) as Pod;
  const namespace = info.namespace ?? "";
  ensureNamespace(ctx, namespace);
  if (pod.metadata.resourceVersion) {
    throw new KubeError(
      500,
      "InternalError",
      "Internal error occurred: resourceVersion should not be set on objects to be created",
    );
  }
  clearServerFields(pod);
  decodePodQuantities(pod);
  if (!pod.metadata.name && pod.metadata.generateName)
    pod.metadata.name = pod.metadata.generateName + generatedSuffix();
  injectIstioProxy(ctx.store, pod);
  defaultPod(pod);
  const name = pod.metadata.name ?? "";
  const errors = validatePod(pod);
  if (errors.length > 0) throw invalidError("Pod", "", name, errors);
  admitPodSecurity(ctx, namespace, pod);
  const sa = pod.spec.serviceAccountName ?? "default";
  if (sa.startsWith("missing")) {
    throw forbidden(
      PODS,
      name,
      `error looking up service account ${namespace}/${sa}: serviceaccount "${sa}" not found`,
    );
  }
  return ok(ctx.store.create(PODS, pod), 201, warningHeader(podWarnings(pod)));
};

/** The spec with the fields a pod update may change blanked out, for comparison. */
const fixedPart = (spec: PodSpec) =>
  JSON.parse(
    JSON.stringify({
      ...spec,
      containers: (spec.containers ?? []).map((c) => ({ ...c, image: undefined })),
      activeDeadlineSeconds: undefined,
      tolerations: undefined,
      terminationGracePeriodSeconds: undefined,
    }),
  );

/** PUT and PATCH: labels, annotations, images and a few scheduling fields may change; status is ignored. */
function updatePod(ctx: ApiContext, namespace: string, name: string, input: KubeObject) {
  const current = ctx.store.mustGet(PODS, namespace, name) as Pod;
  const next = objectBody(PODS, input, namespace) as Pod;
  checkNameMatches(next, name);
  if (next.metadata.resourceVersion && next.metadata.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      PODS,
      name,
      "the object has been modified; please apply your changes to the latest version and try again",
    );
  }
  decodePodQuantities(next);
  const errors = validateObjectMeta(next.metadata, () => []);
  if (!isDeepStrictEqual(fixedPart(next.spec ?? { containers: [] }), fixedPart(current.spec))) {
    errors.push(forbiddenField("spec", IMMUTABLE_SPEC_MESSAGE));
  }
  if (errors.length > 0) throw invalidError("Pod", "", name, errors);
  const updated: Pod = {
    ...current,
    metadata: {
      ...current.metadata,
      labels: next.metadata.labels ?? {},
      annotations: next.metadata.annotations ?? {},
    },
    spec: { ...current.spec, ...next.spec },
  };
  if (!updated.metadata.annotations || Object.keys(updated.metadata.annotations).length === 0) {
    delete updated.metadata.annotations;
  }
  if (isDeepStrictEqual(updated, current)) return ok(current);
  return ok(ctx.store.update(PODS, updated));
}

/** DELETE's options come from the query or from a DeleteOptions body; the query wins. */
export function deleteOptions(query: Record<string, string>, body: unknown): DeleteOptions {
  const fromBody = (body ?? {}) as DeleteOptions;
  const grace = query.gracePeriodSeconds ?? fromBody.gracePeriodSeconds;
  return {
    ...(grace !== undefined ? { gracePeriodSeconds: Number(grace) } : {}),
    ...(fromBody.preconditions ? { preconditions: fromBody.preconditions } : {}),
  };
}

export const podHandlers: KindHandlers = {
  list: listHandler(PODS),
  watch: watchHandler(PODS),
  get: getHandler(PODS),
  create,
  update: ({ ctx, info, body }) => updatePod(ctx, info.namespace ?? "", info.name ?? "", body as KubeObject),
  patch: ({ ctx, info, body, contentType }) => {
    const current = ctx.store.mustGet(PODS, info.namespace, info.name ?? "");
    const patched = applyPatch(current, body, contentType) as KubeObject;
    return updatePod(ctx, info.namespace ?? "", info.name ?? "", patched);
  },
  delete: ({ ctx, info, body }) =>
    ok(deletePod(ctx.store, info.namespace ?? "", info.name ?? "", deleteOptions(info.query, body))),
  subresources: {
    status: { get: getHandler(PODS) },
    eviction: {
      create: ({ ctx, info, body }) => {
        const options = (body as { deleteOptions?: DeleteOptions } | undefined)?.deleteOptions ?? {};
        deletePod(ctx.store, info.namespace ?? "", info.name ?? "", options);
        return ok({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201);
      },
    },
  },
};
