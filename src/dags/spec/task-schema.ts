import { z } from "zod";
import { podOverrideSchema } from "./pod-piece-schema.ts";
import { imageReferenceError } from "./image-reference.ts";
import { extraContainerProblems, extraContainerSchema, PULL_POLICIES } from "./containers-schema.ts";
import { envFromSchema, envSchema, UPDRAFT_ENV_NAMES } from "./env-schema.ts";
import {
  dns1123LabelError,
  dns1123SubdomainError,
  labelValueError,
  qualifiedNameError,
} from "./kubernetes-names.ts";
import { dnsProblems, podFields } from "./pod-fields.ts";
import { checkedRecord, checkedString, durationMs, identifier } from "./refinements.ts";
import { resources, volumeMount } from "./resources-schema.ts";
import { taskNotifySchema } from "./notify-schema.ts";
import { podSecurityContextSchema, securityContextSchema } from "./security-context.ts";

export const TRIGGER_RULES = [
  "all_success",
  "all_done",
  "all_failed",
  "one_success",
  "one_failed",
  "none_failed",
] as const;
const RESERVED_LABEL = /^(app\.kubernetes\.io\/managed-by|updraft\.dev\/.*)$/;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;
const DEFAULT_MAX_RETRY_DELAY_MS = 3_600_000;

const volume = z.looseObject({ name: checkedString(dns1123LabelError) }).superRefine((value, ctx) => {
  const sources = Object.keys(value).filter((key) => key !== "name");
  if (sources.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message: `volume "${value.name}" must have exactly one source (emptyDir, configMap, secret, persistentVolumeClaim, hostPath, ...); has ${sources.length === 0 ? "none" : sources.join(", ")}`,
    });
  }
});

const toleration = z
  .strictObject({
    key: z.string().optional(),
    operator: z.enum(["Exists", "Equal"]).optional(),
    value: z.string().optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.operator === "Exists" && value.value) {
      ctx.addIssue({ code: "custom", path: ["value"], message: 'must be empty when operator is "Exists"' });
    }
    if (value.key) {
      const problem = qualifiedNameError(value.key);
      if (problem) ctx.addIssue({ code: "custom", path: ["key"], message: `"${value.key}" ${problem}` });
    }
  });

const localObjectReference = z
  .union([z.string(), z.strictObject({ name: z.string() })])
  .transform((value) => (typeof value === "string" ? { name: value } : value))
  .superRefine((value, ctx) => {
    const problem = dns1123SubdomainError(value.name);
    if (problem) ctx.addIssue({ code: "custom", path: ["name"], message: `"${value.name}" ${problem}` });
  });

const userLabels = checkedRecord(
  (key) =>
    RESERVED_LABEL.test(key) ? "is set by updraft itself and cannot be overridden" : qualifiedNameError(key),
  labelValueError,
);

/** The task fields exactly as a `pod({...})` call may give them. */
export const podTaskSchema = z
  .strictObject({
    kind: z.literal("pod"),
    id: identifier,
    image: checkedString(imageReferenceError),
    command: z.array(z.string()).default([]),
    args: z.array(z.string()).default([]),
    env: envSchema(UPDRAFT_ENV_NAMES).default({}),
    envFrom: envFromSchema.optional(),
    imagePullPolicy: z.enum(PULL_POLICIES).optional(),
    securityContext: securityContextSchema.optional(),
    podSecurityContext: podSecurityContextSchema.optional(),
    initContainers: z.array(extraContainerSchema).optional(),
    sidecars: z.array(extraContainerSchema).optional(),
    ...podFields,
    namespace: checkedString(dns1123LabelError).nullable().default(null),
    imagePullSecrets: z.array(localObjectReference).default([]),
    volumes: z.array(volume).default([]),
    volumeMounts: z.array(volumeMount).default([]),
    resources: resources.default({}),
    annotations: checkedRecord(qualifiedNameError).default({}),
    labels: userLabels.default({}),
    nodeSelector: checkedRecord(qualifiedNameError, labelValueError).default({}),
    tolerations: z.array(toleration).default([]),
    affinity: z
      .strictObject({
        nodeAffinity: z.record(z.string(), z.unknown()).optional(),
        podAffinity: z.record(z.string(), z.unknown()).optional(),
        podAntiAffinity: z.record(z.string(), z.unknown()).optional(),
      })
      .nullable()
      .default(null),
    serviceAccountName: checkedString(dns1123SubdomainError).nullable().default(null),
    dependsOn: z
      .union([z.string(), z.array(z.string())])
      .transform((value) => (typeof value === "string" ? [value] : value))
      .default([]),
    triggerRule: z.enum(TRIGGER_RULES).default("all_success"),
    retries: z.number().int().min(0).max(100).optional(),
    retryDelay: durationMs.optional(),
    retryBackoff: z
      .union([z.boolean(), z.strictObject({ max: durationMs.optional() })])
      .transform((value) => {
        if (value === false) return null;
        return {
          maxDelayMs: value === true ? DEFAULT_MAX_RETRY_DELAY_MS : (value.max ?? DEFAULT_MAX_RETRY_DELAY_MS),
        };
      })
      .default(null),
    timeout: durationMs.optional(),
    startupTimeout: durationMs.default(120_000),
    /** A pool this task's tries take a slot of (`--pool NAME=N`); tries wait while it is full. */
    pool: identifier.optional(),
    /** This task's own channels per event, replacing the DAG's `notify` for that event. */
    notify: taskNotifySchema.optional(),
    onFinish: z.enum(["delete", "delete-succeeded", "keep"]).default("delete"),
    podOverride: podOverrideSchema.optional(),
  })
  .superRefine((task, ctx) => {
    const volumeNames = task.volumes.map((v) => v.name);
    const seen = new Set<string>();
    task.volumes.forEach((v, index) => {
      if (seen.has(v.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["volumes", index, "name"],
          message: `duplicate volume name "${v.name}"`,
        });
      }
      seen.add(v.name);
    });
    const mountPaths = new Set<string>();
    task.volumeMounts.forEach((mount, index) => {
      if (!volumeNames.includes(mount.name)) {
        const known = volumeNames.length ? volumeNames.join(", ") : "none declared";
        ctx.addIssue({
          code: "custom",
          path: ["volumeMounts", index, "name"],
          message: `"${mount.name}" is not one of the task's volumes (${known})`,
        });
      }
      if (mountPaths.has(mount.mountPath)) {
        ctx.addIssue({
          code: "custom",
          path: ["volumeMounts", index, "mountPath"],
          message: `"${mount.mountPath}" is mounted twice`,
        });
      }
      mountPaths.add(mount.mountPath);
    });
    const containerGroups = [
      ["initContainers", task.initContainers ?? []],
      ["sidecars", task.sidecars ?? []],
    ] as const;
    for (const problem of [...extraContainerProblems(containerGroups, volumeNames), ...dnsProblems(task)]) {
      ctx.addIssue({ code: "custom", ...problem });
    }
    const annotationBytes = Object.entries(task.annotations).reduce(
      (n, [k, v]) => n + k.length + v.length,
      0,
    );
    if (annotationBytes > MAX_ANNOTATIONS_BYTES) {
      ctx.addIssue({ code: "custom", path: ["annotations"], message: "total size must be at most 256 KiB" });
    }
  });

export type PodTaskInput = z.input<typeof podTaskSchema>;
