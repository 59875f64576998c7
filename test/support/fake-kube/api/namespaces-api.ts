import { NAMESPACES } from "../resources.ts";
import { notFound } from "../status.ts";
import type { KubeObject } from "../types.ts";
import { invalidError } from "../validation/field-errors.ts";
import { dns1123Label } from "../validation/names.ts";
import { validateObjectMeta } from "../validation/object-meta.ts";
import { getHandler, listHandler, watchHandler } from "./collection.ts";
import { ok, type ApiContext, type KindHandlers } from "./context.ts";

const namespaceObject = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
  spec: { finalizers: ["kubernetes"] },
  status: { phase: "Active" },
});

/** Makes sure a namespace exists before something is created in it (a 404 when namespaces are strict). */
export function ensureNamespace(ctx: ApiContext, name: string, create = !ctx.strictNamespaces): void {
  if (ctx.store.get(NAMESPACES, undefined, name)) return;
  if (!create) throw notFound(NAMESPACES, name);
  const errors = validateObjectMeta({ name }, dns1123Label);
  if (errors.length > 0) throw invalidError("Namespace", "", name, errors);
  ctx.store.create(NAMESPACES, namespaceObject(name));
}

export const namespaceHandlers: KindHandlers = {
  list: listHandler(NAMESPACES),
  watch: watchHandler(NAMESPACES),
  get: getHandler(NAMESPACES),
  create: ({ ctx, body }) => {
    const name = (body as KubeObject | undefined)?.metadata?.name ?? "";
    const errors = validateObjectMeta({ name }, dns1123Label);
    if (errors.length > 0) throw invalidError("Namespace", "", name, errors);
    const defaults = namespaceObject(name);
    const given = body as KubeObject;
    ctx.store.create(NAMESPACES, {
      ...defaults,
      ...given,
      // The API server keeps its own name label beside the ones given (Pod Security reads them).
      metadata: { ...given.metadata, labels: { ...given.metadata?.labels, ...defaults.metadata.labels } },
      status: { phase: "Active" },
    });
    return ok(ctx.store.get(NAMESPACES, undefined, name), 201);
  },
};
