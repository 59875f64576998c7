import { createHash } from "node:crypto";
import type { TaskKey } from "../executor/executor.ts";

const MAX_NAME = 63;

function shortHash(text: string, length = 8): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** Lower-case DNS-1123 characters only, no leading/trailing/double dashes. */
function dnsSafe(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * The Pod name of one try: `<dag>-<task>-<hash of dag, run, task>-<try>`, a valid DNS-1123 label
 * of at most 63 characters. Deterministic, so a retry of the create after a crash finds the same
 * Pod (409 AlreadyExists) instead of starting a second one; the hash keeps truncated names apart.
 */
export function podNameFor(key: TaskKey): string {
  const suffix = `-${shortHash(`${key.dagId}\0${key.runId}\0${key.taskId}`)}-${key.try}`;
  const readable = dnsSafe(`${key.dagId}-${key.taskId}`)
    .slice(0, MAX_NAME - suffix.length)
    .replace(/-+$/, "");
  return `${readable || "task"}${suffix}`;
}

/**
 * A value Kubernetes accepts as a label value (≤ 63 characters of `[A-Za-z0-9_.-]`, starting and
 * ending alphanumeric). Values that had to change get a hash suffix so they stay distinct; the
 * exact value is kept in an annotation.
 */
export function labelValueFor(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  if (cleaned === value && value.length <= MAX_NAME) return value;
  const suffix = `-${shortHash(value)}`;
  const head = cleaned.slice(0, MAX_NAME - suffix.length).replace(/[^A-Za-z0-9]+$/, "");
  return `${head || "v"}${suffix}`;
}
