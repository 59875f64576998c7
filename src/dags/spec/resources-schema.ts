import { z } from "zod";
import { isQuantity, qualifiedNameError } from "./kubernetes-names.ts";
import { quantityValue } from "./quantity.ts";

const STANDARD_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);

/** A quantity given as a string or a number, kept as its text. */
export const quantity = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value);
  if (!isQuantity(text)) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")`,
    });
    return z.NEVER;
  }
  return text;
});

/**
 * Extended resources (`nvidia.com/gpu`): a name with a domain outside kubernetes.io. Kubernetes
 * counts them in whole units and never overcommits them (helper.IsExtendedResourceName).
 */
export function isExtendedResource(name: string): boolean {
  return name.includes("/") && !name.startsWith("kubernetes.io/") && !name.includes("kubernetes.io/");
}

/** Why `name` cannot be a container resource, as kube-apiserver decides it, or undefined. */
export function resourceNameError(name: string): string | undefined {
  if (STANDARD_RESOURCES.has(name) || name.startsWith("hugepages-")) return undefined;
  const problem = qualifiedNameError(name);
  if (problem) return `is not a valid resource name: ${problem}`;
  if (!isExtendedResource(name)) {
    return "is not a resource Kubernetes knows: use cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource with a domain (e.g. nvidia.com/gpu)";
  }
  return undefined;
}

const resourceList = z.record(z.string(), quantity).superRefine((list, ctx) => {
  for (const [name, value] of Object.entries(list)) {
    const problem = resourceNameError(name);
    if (problem)
      ctx.addIssue({ code: "custom", path: [name], message: `key ${JSON.stringify(name)} ${problem}` });
    else if (isExtendedResource(name) && !Number.isInteger(quantityValue(value))) {
      ctx.addIssue({
        code: "custom",
        path: [name],
        message: `${JSON.stringify(value)} must be a whole number: ${name} is an extended resource`,
      });
    }
  }
});

/** core/v1 ResourceRequirements: requests ≤ limits; extended resources whole and requests = limits. */
export const resources = z
  .strictObject({ requests: resourceList.optional(), limits: resourceList.optional() })
  .superRefine(({ requests = {}, limits = {} }, ctx) => {
    for (const [name, request] of Object.entries(requests)) {
      const limit = Object.hasOwn(limits, name) ? limits[name] : undefined;
      if (isExtendedResource(name)) {
        if (limit === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["limits", name],
            message: "must be set (equal to the request): an extended resource cannot be overcommitted",
          });
        } else if (quantityValue(request) !== quantityValue(limit)) {
          ctx.addIssue({
            code: "custom",
            path: ["requests", name],
            message: `"${request}" must equal the ${name} limit "${limit}": an extended resource cannot be overcommitted`,
          });
        }
        continue;
      }
      if (limit === undefined) continue;
      if ((quantityValue(request) ?? 0) > (quantityValue(limit) ?? Number.POSITIVE_INFINITY)) {
        ctx.addIssue({
          code: "custom",
          path: ["requests", name],
          message: `"${request}" must be less than or equal to the ${name} limit "${limit}"`,
        });
      }
    }
  });

/** core/v1 VolumeMount. */
export const volumeMount = z.strictObject({
  name: z.string(),
  mountPath: z.string().startsWith("/", "mountPath must be an absolute path"),
  subPath: z.string().optional(),
  readOnly: z.boolean().optional(),
  mountPropagation: z.string().optional(),
});
