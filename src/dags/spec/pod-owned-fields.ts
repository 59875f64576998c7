import { UPDRAFT_ENV_NAMES } from "./env-schema.ts";
import type { PodProblem } from "./pod-validation.ts";

/** The task container's name (src/kubernetes/pod-spec.ts CONTAINER; a test keeps them equal). */
export const TASK_CONTAINER = "base";
/** Labels and annotations updraft puts on its Pods (src/kubernetes/task-labels.ts). */
const OWNED_KEY = /^(app\.kubernetes\.io\/managed-by|updraft\.dev\/.*)$/;
/** The task container's fields that only `pod({...})` sets. */
const TASK_CONTAINER_FIELDS = new Map([
  ["image", "pod({ image })"],
  ["command", "pod({ command })"],
  ["args", "pod({ args })"],
]);

/**
 * What a `--pod-template` or a task's `podOverride` may not set, because updraft relies on it: the
 * Pod's name and namespace (one Pod per try, watched where the task says), the labels and
 * annotations it finds its Pods by, `restartPolicy: Never` (retries are updraft's, each a new
 * Pod) and the task container's image, command and args. `where` names the source in messages.
 */
export function ownedFieldProblems(piece: unknown, where: "--pod-template" | "podOverride"): PodProblem[] {
  const problems: PodProblem[] = [];
  if (!isRecord(piece)) return problems;
  const owned = (path: PodProblem["path"], why: string) =>
    problems.push({ path, message: `is set by updraft and cannot be set in ${where}: ${why}` });
  if (has(piece, "apiVersion") && piece.apiVersion !== "v1")
    problems.push({ path: ["apiVersion"], message: `must be "v1" (a core/v1 Pod)` });
  if (has(piece, "kind") && piece.kind !== "Pod") problems.push({ path: ["kind"], message: `must be "Pod"` });
  const metadata = field(piece, "metadata");
  if (isRecord(metadata)) {
    for (const key of ["name", "generateName"])
      if (has(metadata, key)) owned(["metadata", key], "each try's Pod has its own deterministic name");
    if (has(metadata, "namespace"))
      owned(
        ["metadata", "namespace"],
        "give the task's namespace with pod({ namespace }) or the daemon's --namespace",
      );
    for (const map of ["labels", "annotations"]) {
      const entries = field(metadata, map);
      // null would remove the whole map, updraft's own keys with it.
      if (entries === null) owned(["metadata", map], "updraft finds and adopts its Pods by its keys in it");
      if (!isRecord(entries)) continue;
      for (const key of Object.keys(entries))
        if (OWNED_KEY.test(key)) owned(["metadata", map, key], "updraft finds and adopts its Pods by it");
    }
  }
  const spec = field(piece, "spec");
  if (!isRecord(spec)) return problems;
  if (has(spec, "restartPolicy") && spec.restartPolicy !== "Never")
    owned(["spec", "restartPolicy"], 'it stays "Never": a failed try is retried by updraft as a new Pod');
  const containers = field(spec, "containers");
  if (!Array.isArray(containers)) return problems;
  containers.forEach((container: unknown, i) => {
    if (!isRecord(container) || container.name !== TASK_CONTAINER) return;
    for (const [key, instead] of TASK_CONTAINER_FIELDS)
      if (has(container, key))
        owned(["spec", "containers", i, key], `the task container's ${key} comes from ${instead}`);
    const env = field(container, "env");
    if (env === null)
      owned(["spec", "containers", i, "env"], "it holds the UPDRAFT_* variables of every try");
    if (!Array.isArray(env)) return;
    env.forEach((entry: unknown, e) => {
      const name = isRecord(entry) ? entry.name : undefined;
      if (typeof name === "string" && (UPDRAFT_ENV_NAMES as readonly string[]).includes(name))
        owned(
          ["spec", "containers", i, "env", e, "name"],
          `${JSON.stringify(name)} is one of the variables updraft sets in the task container`,
        );
    });
  });
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function has(record: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(record, key);
}

function field(record: Record<string, unknown>, key: string): unknown {
  return has(record, key) ? record[key] : undefined;
}
