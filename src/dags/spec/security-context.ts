import { z } from "zod";

const id = z.number().int().min(0).max(2147483647);

const profile = (types: readonly [string, ...string[]]) =>
  z
    .strictObject({ type: z.enum(types), localhostProfile: z.string().optional() })
    .superRefine((value, ctx) => {
      if (value.type === "Localhost" && !value.localhostProfile) {
        ctx.addIssue({
          code: "custom",
          path: ["localhostProfile"],
          message: "must be set when type is Localhost",
        });
      }
      if (value.type !== "Localhost" && value.localhostProfile !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["localhostProfile"],
          message: "can only be set when type is Localhost",
        });
      }
    });

const PROFILE_TYPES = ["RuntimeDefault", "Localhost", "Unconfined"] as const;

const seLinuxOptions = z.strictObject({
  user: z.string().optional(),
  role: z.string().optional(),
  type: z.string().optional(),
  level: z.string().optional(),
});

const windowsOptions = z.strictObject({
  gmsaCredentialSpecName: z.string().optional(),
  gmsaCredentialSpec: z.string().optional(),
  runAsUserName: z.string().optional(),
  hostProcess: z.boolean().optional(),
});

/** Fields both security contexts share (core/v1 names). */
const shared = {
  runAsUser: id.optional(),
  runAsGroup: id.optional(),
  runAsNonRoot: z.boolean().optional(),
  seLinuxOptions: seLinuxOptions.optional(),
  seccompProfile: profile(PROFILE_TYPES).optional(),
  appArmorProfile: profile(PROFILE_TYPES).optional(),
  windowsOptions: windowsOptions.optional(),
};

/** A container's core/v1 SecurityContext. */
export const securityContextSchema = z
  .strictObject({
    ...shared,
    allowPrivilegeEscalation: z.boolean().optional(),
    privileged: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    procMount: z.enum(["Default", "Unmasked"]).optional(),
    capabilities: z
      .strictObject({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() })
      .optional(),
  })
  .superRefine((value, ctx) => {
    // kube-apiserver refuses this pair: a privileged container always escalates.
    if (value.privileged === true && value.allowPrivilegeEscalation === false) {
      ctx.addIssue({
        code: "custom",
        message: "cannot set allowPrivilegeEscalation to false and privileged to true",
      });
    }
  });

/** The Pod's core/v1 PodSecurityContext. */
export const podSecurityContextSchema = z.strictObject({
  ...shared,
  fsGroup: id.optional(),
  fsGroupChangePolicy: z.enum(["OnRootMismatch", "Always"]).optional(),
  supplementalGroups: z.array(id).optional(),
  supplementalGroupsPolicy: z.enum(["Merge", "Strict"]).optional(),
  seLinuxChangePolicy: z.enum(["MountOption", "Recursive"]).optional(),
  sysctls: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
});

export type SecurityContext = z.output<typeof securityContextSchema>;
export type PodSecurityContext = z.output<typeof podSecurityContextSchema>;
