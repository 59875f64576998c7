/**
 * The updraft SDK: what DAG modules import as `updraft`.
 *
 * ```ts
 * import { dag, pod } from "updraft";
 * export default dag({ id: "hello", schedule: "@daily", tasks: [pod({ id: "say", image: "busybox", command: ["echo", "hi"] })] });
 * ```
 */
import { CALL_SITE, captureCallSites } from "./call-site.ts";
import type { Dag, DagOptions, PodTask, PodTaskOptions } from "./types.ts";

export type * from "./types.ts";

/** Declares a DAG. Export the result to register it. */
export function dag(options: DagOptions): Dag {
  return withCallSite({ ...options, kind: "dag" as const });
}

/** Declares a task that runs one container in a Kubernetes Pod (or a local process). */
export function pod(options: PodTaskOptions): PodTask {
  return withCallSite({ ...options, kind: "pod" as const });
}

function withCallSite<T extends object>(value: T): T {
  Object.defineProperty(value, CALL_SITE, { value: captureCallSites(), enumerable: false });
  return value;
}
