import { KubeError, type StatusCause } from "../status.ts";

/** One problem with one field, worded as k8s.io/apimachinery's field.Error. */
export interface FieldError {
  type: keyof typeof TYPE_TEXT;
  field: string;
  value?: unknown;
  detail?: string;
}

const TYPE_TEXT = {
  FieldValueRequired: "Required value",
  FieldValueInvalid: "Invalid value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueNotFound: "Not found",
  FieldValueTooLong: "Too long",
} as const;

export const required = (field: string, detail?: string): FieldError => ({
  type: "FieldValueRequired",
  field,
  ...(detail ? { detail } : {}),
});
export const invalid = (field: string, value: unknown, detail: string): FieldError => ({
  type: "FieldValueInvalid",
  field,
  value,
  detail,
});
export const duplicate = (field: string, value: unknown): FieldError => ({
  type: "FieldValueDuplicate",
  field,
  value,
});
export const notFoundValue = (field: string, value: unknown): FieldError => ({
  type: "FieldValueNotFound",
  field,
  value,
});
export const forbiddenField = (field: string, detail: string): FieldError => ({
  type: "FieldValueForbidden",
  field,
  detail,
});
export const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  type: "FieldValueNotSupported",
  field,
  value,
  detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}`,
});

/** `Invalid value: "x": detail`, the part of the message after the field path. */
export function errorBody(error: FieldError): string {
  const text = TYPE_TEXT[error.type];
  const valueless = ["FieldValueRequired", "FieldValueForbidden", "FieldValueTooLong"].includes(error.type);
  let body = text;
  if (!valueless && "value" in error) {
    const value = error.value;
    body += typeof value === "string" ? `: ${JSON.stringify(value)}` : `: ${String(value)}`;
  }
  return error.detail ? `${body}: ${error.detail}` : body;
}

/** The 422 `Invalid` Status kube-apiserver answers with: one cause per problem. */
export function invalidError(kind: string, group: string, name: string, errors: FieldError[]): KubeError {
  const causes: StatusCause[] = errors.map((e) => ({
    reason: e.type,
    message: errorBody(e),
    field: e.field,
  }));
  const lines = errors.map((e) => `${e.field}: ${errorBody(e)}`);
  const aggregate = lines.length === 1 ? lines[0] : `[${lines.join(", ")}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new KubeError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${aggregate}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes,
  });
}
