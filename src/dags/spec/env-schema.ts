import { z } from "zod";
import { dns1123SubdomainError, envVarNameError } from "./kubernetes-names.ts";
import { quantity } from "./resources-schema.ts";
import { checkedString } from "./refinements.ts";

/** The variables updraft sets in every task container; the task's own env cannot replace them. */
export const UPDRAFT_ENV_NAMES = [
  "UPDRAFT_DAG_ID",
  "UPDRAFT_RUN_ID",
  "UPDRAFT_TASK_ID",
  "UPDRAFT_TRY_NUMBER",
  "UPDRAFT_LOGICAL_DATE",
] as const;

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const FIELD_PATHS = [
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.serviceAccountName",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
];
const LABEL_OR_ANNOTATION_PATH = /^metadata\.(labels|annotations)\['[^']+'\]$/;
const RESOURCE_FIELDS = ["limits", "requests"].flatMap((kind) =>
  ["cpu", "memory", "ephemeral-storage"].map((resource) => `${kind}.${resource}`),
);
const SOURCE_KEYS = ["secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef"] as const;

const objectName = checkedString(dns1123SubdomainError);

const keySelector = z.strictObject({
  name: objectName,
  key: checkedString((key) =>
    key.length > 253 || !CONFIG_KEY.test(key)
      ? "must consist of letters, digits, '-', '_' or '.'"
      : undefined,
  ),
  optional: z.boolean().optional(),
});

const fieldRef = z.strictObject({
  apiVersion: z.literal("v1").optional(),
  fieldPath: checkedString((path) =>
    FIELD_PATHS.includes(path) || LABEL_OR_ANNOTATION_PATH.test(path)
      ? undefined
      : "is not a field Kubernetes exposes (metadata.name, metadata.namespace, metadata.uid, metadata.labels['KEY'], metadata.annotations['KEY'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP, status.podIPs)",
  ),
});

const resourceFieldRef = z.strictObject({
  containerName: z.string().optional(),
  resource: checkedString((resource) =>
    RESOURCE_FIELDS.includes(resource) || /^(limits|requests)\.hugepages-.+$/.test(resource)
      ? undefined
      : `is not one of ${RESOURCE_FIELDS.join(", ")} (or limits./requests.hugepages-*)`,
  ),
  divisor: quantity.optional(),
});

const envVarSource = z.strictObject({
  secretKeyRef: keySelector.optional(),
  configMapKeyRef: keySelector.optional(),
  fieldRef: fieldRef.optional(),
  resourceFieldRef: resourceFieldRef.optional(),
});

/** A core/v1 EnvVarSource: where Kubernetes reads a variable's value when the Pod starts. */
export type EnvVarSource = z.output<typeof envVarSource>;

/** An env value: a string (templates rendered per try) or exactly one EnvVarSource. */
const envValue = z.unknown().transform((value, ctx): string | EnvVarSource => {
  if (typeof value === "string") return value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    ctx.addIssue({
      code: "custom",
      message:
        "must be a string or one of { secretKeyRef }, { configMapKeyRef }, { fieldRef }, { resourceFieldRef }",
    });
    return z.NEVER;
  }
  const keys = Object.keys(value);
  const sources = SOURCE_KEYS.filter((key) => keys.includes(key));
  // Unknown keys are reported by the strict parse below; "none" would only repeat them.
  if (keys.every((key) => (SOURCE_KEYS as readonly string[]).includes(key)) && sources.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message: `must name exactly one of ${SOURCE_KEYS.join(", ")} (has ${sources.length ? sources.join(", ") : "none"})`,
    });
    return z.NEVER;
  }
  const parsed = envVarSource.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  return z.NEVER;
});

/** `env`: names as Kubernetes allows them, values a string or an EnvVarSource; updraft's own names refused. */
export function envSchema(reserved: readonly string[] = []) {
  return z.record(z.string(), envValue).superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      const problem = reserved.includes(name)
        ? "is set by updraft itself and cannot be overridden"
        : envVarNameError(name);
      if (problem)
        ctx.addIssue({ code: "custom", path: [name], message: `key ${JSON.stringify(name)} ${problem}` });
    }
  });
}

export type EnvValue = string | EnvVarSource;

const envFromSource = z
  .strictObject({
    prefix: checkedString(envVarNameError).optional(),
    secretRef: z.strictObject({ name: objectName, optional: z.boolean().optional() }).optional(),
    configMapRef: z.strictObject({ name: objectName, optional: z.boolean().optional() }).optional(),
  })
  .superRefine((value, ctx) => {
    const sources = (["secretRef", "configMapRef"] as const).filter((key) => value[key] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `must name exactly one of secretRef, configMapRef (has ${sources.length ? sources.join(", ") : "none"})`,
      });
    }
  });

/** `envFrom`: every key of a Secret or ConfigMap as a variable, optionally prefixed. */
export const envFromSchema = z.array(envFromSource);
export type EnvFromSource = z.output<typeof envFromSource>;
