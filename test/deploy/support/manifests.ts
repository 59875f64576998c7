import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import * as kubeModels from "@kubernetes/client-node";
import * as appsV1 from "kubernetes-models/apps/v1";
import * as rbacV1 from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as coreV1 from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";

/** A Kubernetes object as read from YAML; fields are read with the helpers below. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface ManifestFile {
  file: string;
  objects: Manifest[];
}

/** Every `*.yaml` under `dir` (not kustomization.yaml), each document parsed. */
export async function readManifestFiles(dir: string): Promise<ManifestFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort();
  return Promise.all(
    files.map(async (file) => ({
      file,
      objects: parseManifests(await readFile(path.join(dir, file), "utf8")),
    })),
  );
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(document.errors.map((e) => e.message).join("\n"));
    return document.toJS() as Manifest;
  });
}

/** The kubernetes-models class of each kind deploy/ uses; `validate()` checks types and required fields. */
const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  "apps/v1": appsV1,
  "rbac.authorization.k8s.io/v1": rbacV1,
};

/** Throws the schema's errors (wrong types, missing required fields, bad enums) for `object`. */
export function validateAgainstSchema(object: Manifest): void {
  const Model = MODELS[object.apiVersion]?.[object.kind] as
    (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

/**
 * Fields the API does not know, as `kubectl apply --validate=strict` would reject them (the
 * kubernetes-models schemas allow extra properties, so a misspelt `readinesProbe` passes there).
 * Walks the object with the official client's model type maps.
 */
export function unknownFields(object: Manifest): string[] {
  const typeName = `V1${object.kind}`;
  const found: string[] = [];
  walk(object, typeName, object.kind, found);
  return found;
}

type ModelClass = { getAttributeTypeMap(): Array<{ baseName: string; type: string }> };

function walk(value: unknown, type: string, at: string, found: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, array[1] ?? "", `${at}[${i}]`, found));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [key, item] of Object.entries(value as object))
      walk(item, map[1] ?? "", `${at}.${key}`, found);
    return;
  }
  const model = (kubeModels as unknown as Record<string, ModelClass | undefined>)[type];
  if (typeof model?.getAttributeTypeMap !== "function") return; // string, number, IntOrString, …
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [key, item] of Object.entries(value as object)) {
    const itemType = attributes.get(key);
    if (itemType === undefined) found.push(`${at}.${key}`);
    else walk(item, itemType, `${at}.${key}`, found);
  }
}
