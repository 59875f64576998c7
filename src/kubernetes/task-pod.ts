import type { V1Pod } from "@kubernetes/client-node";
import type { TaskLaunch } from "../executor/executor.ts";
import { mergePod } from "./pod-merge.ts";
import { buildPod } from "./pod-spec.ts";
import type { PodTemplate } from "./pod-template.ts";

/**
 * The Pod created for one try: the `--pod-template` (if any), the task's `pod({...})` fields laid
 * over it, then the task's `podOverride` over both. Also what `updraft check` validates.
 */
export function taskPod(launch: TaskLaunch, defaultNamespace: string, template?: PodTemplate): V1Pod {
  const built = buildPod(launch, defaultNamespace);
  const based = template ? mergePod(template as V1Pod, built) : built;
  const override = launch.task.podOverride;
  return override ? mergePod(based, override) : based;
}
