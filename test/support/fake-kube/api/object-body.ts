import { badRequest } from "../status.ts";
import type { KubeObject } from "../types.ts";
import type { ResourceDef } from "../resources.ts";

/** The request body as an object of `def`'s kind, checked the way the decoder and REST handler do. */
export function objectBody(def: ResourceDef, body: unknown, namespace: string | undefined): KubeObject {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(
      `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the request body is not an object`,
    );
  }
  const object = body as KubeObject;
  if (object.kind !== undefined && object.kind !== def.kind) {
    throw badRequest(
      `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: kind is ${object.kind}`,
    );
  }
  object.metadata ??= {};
  if (def.namespaced) {
    if (object.metadata.namespace && object.metadata.namespace !== namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    object.metadata.namespace = namespace;
  }
  return object;
}

/** PUT's check that the body names the object in the URL. */
export function checkNameMatches(object: KubeObject, name: string): void {
  if (object.metadata.name && object.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  object.metadata.name = name;
}

/** Fields the server sets on create and ignores (or refuses) from the client. */
export function clearServerFields(object: KubeObject): void {
  for (const field of [
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
  ]) {
    delete object.metadata[field];
  }
}
