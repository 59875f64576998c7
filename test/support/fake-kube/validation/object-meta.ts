import type { ObjectMeta } from "../types.ts";
import { invalid, required, type FieldError } from "./field-errors.ts";
import { labelValue, qualifiedName } from "./names.ts";

const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** Label keys and values as ValidateLabels checks them, reported on `path` (`metadata.labels`, `spec.nodeSelector`). */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const msg of qualifiedName(key)) errors.push(invalid(path, key, msg));
    if (typeof value !== "string") errors.push(invalid(path, value, "must be a string"));
    else for (const msg of labelValue(value)) errors.push(invalid(path, value, msg));
  }
  return errors;
}

function validateAnnotations(annotations: Record<string, string> | undefined): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    for (const msg of qualifiedName(key.toLowerCase()))
      errors.push(invalid("metadata.annotations", key, msg));
    size += key.length + String(value).length;
  }
  if (size > MAX_ANNOTATIONS_BYTES) {
    errors.push({
      type: "FieldValueTooLong",
      field: "metadata.annotations",
      detail: `must have at most ${MAX_ANNOTATIONS_BYTES} bytes`,
    });
  }
  return errors;
}

/** ValidateObjectMeta: the name (with the kind's own rule), labels and annotations. */
export function validateObjectMeta(meta: ObjectMeta, nameRule: (name: string) => string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (!meta.name) errors.push(required("metadata.name", "name or generateName is required"));
  else for (const msg of nameRule(meta.name)) errors.push(invalid("metadata.name", meta.name, msg));
  errors.push(...validateLabels(meta.labels, "metadata.labels"));
  errors.push(...validateAnnotations(meta.annotations));
  return errors;
}
