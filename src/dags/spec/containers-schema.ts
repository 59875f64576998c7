import { z } from "zod";
import { envFromSchema, envSchema } from "./env-schema.ts";
import { imageReferenceError } from "./image-reference.ts";
import { dns1123LabelError } from "./kubernetes-names.ts";
import { checkedString } from "./refinements.ts";
import { resources, volumeMount } from "./resources-schema.ts";
import { securityContextSchema } from "./security-context.ts";

/** The name of the task's own container; KubernetesPodOperator users know it by this name. */
export const TASK_CONTAINER = "base";

export const PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const;

/**
 * An init container or sidecar: the core/v1 Container subset updraft names. Anything else goes
 * through `podOverride`. Its strings are passed as written (templates are the task container's).
 */
export const extraContainerSchema = z.strictObject({
  name: checkedString(dns1123LabelError),
  image: checkedString(imageReferenceError),
  imagePullPolicy: z.enum(PULL_POLICIES).optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: envSchema().optional(),
  envFrom: envFromSchema.optional(),
  volumeMounts: z.array(volumeMount).optional(),
  resources: resources.optional(),
  securityContext: securityContextSchema.optional(),
});

export type ExtraContainer = z.output<typeof extraContainerSchema>;

interface ContainerProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * Names unique across init containers, sidecars and the task container (Kubernetes refuses a
 * duplicate), and every mount naming one of the task's volumes.
 */
export function extraContainerProblems(
  groups: ReadonlyArray<readonly [string, readonly ExtraContainer[]]>,
  volumeNames: readonly string[],
): ContainerProblem[] {
  const problems: ContainerProblem[] = [];
  const names = new Set([TASK_CONTAINER]);
  for (const [field, containers] of groups) {
    containers.forEach((container, index) => {
      if (names.has(container.name)) {
        problems.push({
          path: [field, index, "name"],
          message: `"${container.name}" is already the name of another container (the task's own container is "${TASK_CONTAINER}")`,
        });
      }
      names.add(container.name);
      (container.volumeMounts ?? []).forEach((mount, m) => {
        if (volumeNames.includes(mount.name)) return;
        const known = volumeNames.length ? volumeNames.join(", ") : "none declared";
        problems.push({
          path: [field, index, "volumeMounts", m, "name"],
          message: `"${mount.name}" is not one of the task's volumes (${known})`,
        });
      });
    });
  }
  return problems;
}
