import { isIP } from "node:net";
import { z } from "zod";
import { dns1123SubdomainError, qualifiedNameError } from "./kubernetes-names.ts";
import { checkedString } from "./refinements.ts";

const ipAddress = checkedString((value) =>
  isIP(value) === 0 ? "must be an IP address (e.g. 10.9.8.7 or 2001:db8::ffff)" : undefined,
);
const qualifiedKey = checkedString(qualifiedNameError);

const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: qualifiedKey,
        operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

const topologySpreadConstraint = z
  .strictObject({
    maxSkew: z.number().int().min(1),
    topologyKey: qualifiedKey,
    whenUnsatisfiable: z.enum(["DoNotSchedule", "ScheduleAnyway"]),
    labelSelector: labelSelector.optional(),
    minDomains: z.number().int().min(1).optional(),
    nodeAffinityPolicy: z.enum(["Honor", "Ignore"]).optional(),
    nodeTaintsPolicy: z.enum(["Honor", "Ignore"]).optional(),
    matchLabelKeys: z.array(z.string()).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.minDomains !== undefined && value.whenUnsatisfiable !== "DoNotSchedule") {
      ctx.addIssue({
        code: "custom",
        path: ["minDomains"],
        message: "can only be set when whenUnsatisfiable is DoNotSchedule",
      });
    }
  });

export const DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"] as const;

/** Scheduling and networking fields of the Pod (point 4 of issue 14), in core/v1 shapes. */
export const podFields = {
  priorityClassName: checkedString(dns1123SubdomainError).optional(),
  runtimeClassName: checkedString(dns1123SubdomainError).optional(),
  topologySpreadConstraints: z.array(topologySpreadConstraint).optional(),
  hostAliases: z
    .array(
      z.strictObject({
        ip: ipAddress,
        hostnames: z.array(checkedString(dns1123SubdomainError)).min(1),
      }),
    )
    .optional(),
  dnsPolicy: z.enum(DNS_POLICIES).optional(),
  dnsConfig: z
    .strictObject({
      nameservers: z.array(ipAddress).max(3).optional(),
      searches: z.array(z.string()).max(32).optional(),
      options: z.array(z.strictObject({ name: z.string().min(1), value: z.string().optional() })).optional(),
    })
    .optional(),
};

/** dnsPolicy None leaves the Pod with no resolver unless dnsConfig names one. */
export function dnsProblems(task: {
  dnsPolicy?: string | undefined;
  dnsConfig?: { nameservers?: string[] | undefined } | undefined;
}): Array<{ path: string[]; message: string }> {
  if (task.dnsPolicy !== "None" || (task.dnsConfig?.nameservers?.length ?? 0) > 0) return [];
  return [
    {
      path: ["dnsConfig", "nameservers"],
      message: "at least one nameserver is needed when dnsPolicy is None",
    },
  ];
}
