import { KubeError } from "../status.ts";

type Value = unknown;
const isObject = (v: Value): v is Record<string, Value> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch (also used, without list merging by key, for strategic merge patches). */
export function mergePatch(target: Value, patch: Value): Value {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Value> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: Value;
}

const invalid = (message: string) => new KubeError(422, "Invalid", message);

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw invalid(`invalid JSON pointer: ${path}`);
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Value, parts: string[]): { parent: Record<string, Value> | Value[]; key: string } {
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (node === undefined) throw invalid(`doc is missing path: ${parts.join("/")}`);
  }
  if (!Array.isArray(node) && !isObject(node)) throw invalid(`doc is missing path: ${parts.join("/")}`);
  return { parent: node, key: parts.at(-1) ?? "" };
}

function read(doc: Value, path: string): Value {
  let node = doc;
  for (const part of pointer(path)) {
    node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (node === undefined) throw invalid(`doc is missing path: ${path}`);
  }
  return node;
}

function write(doc: Value, path: string, value: Value, insert: boolean): Value {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    if (insert) parent.splice(index, 0, structuredClone(value));
    else parent[index] = structuredClone(value);
  } else {
    if (!insert && !(key in parent)) throw invalid(`doc is missing key: ${path}`);
    parent[key] = structuredClone(value);
  }
  return doc;
}

function remove(doc: Value, path: string): Value {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else {
    if (!(key in parent)) throw invalid(`doc is missing key: ${path}`);
    delete parent[key];
  }
  return doc;
}

/** RFC 6902 JSON patch. A failed `test` or a missing path is a 422, as kube-apiserver answers. */
export function jsonPatch(target: Value, operations: unknown): Value {
  if (!Array.isArray(operations))
    throw new KubeError(400, "BadRequest", "json patch must be an array of operations");
  let doc = structuredClone(target);
  for (const op of operations as Operation[]) {
    switch (op.op) {
      case "add":
        doc = write(doc, op.path, op.value, true);
        break;
      case "replace":
        doc = write(doc, op.path, op.value, false);
        break;
      case "remove":
        doc = remove(doc, op.path);
        break;
      case "copy":
        doc = write(doc, op.path, read(doc, op.from ?? ""), true);
        break;
      case "move": {
        const value = read(doc, op.from ?? "");
        doc = write(remove(doc, op.from ?? ""), op.path, value, true);
        break;
      }
      case "test":
        if (JSON.stringify(read(doc, op.path)) !== JSON.stringify(op.value)) {
          throw invalid(
            `the server rejected our request due to an error in our request: testing value ${op.path} failed`,
          );
        }
        break;
      default:
        throw new KubeError(400, "BadRequest", `unexpected JSON patch operation ${JSON.stringify(op)}`);
    }
  }
  return doc;
}

/** Applies a PATCH body by its Content-Type; other types are a 415 like the real server's. */
export function applyPatch(target: Value, patch: unknown, contentType: string | undefined): Value {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "application/json-patch+json") return jsonPatch(target, patch);
  if (type === "application/merge-patch+json" || type === "application/strategic-merge-patch+json") {
    return mergePatch(target, patch);
  }
  throw new KubeError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
  );
}
