import { badRequest, KubeError } from "../status.ts";
import { nowNanos, parseRfc3339 } from "../time.ts";

/** PodLogOptions as the kubelet applies them. */
export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** Lines older than this (nanoseconds) are skipped. */
  sinceNs?: bigint;
  tailLines?: number;
  limitBytes?: number;
}

const truthy = (v: string | undefined) => v === "true" || v === "1";

/**
 * Parses the log query. `sinceTime` is cut to whole seconds, as kube-apiserver does when it passes the
 * options on to the kubelet: resuming from a line's own timestamp replays that whole second.
 */
export function parseLogOptions(podName: string, query: Record<string, string>): LogOptions {
  const problems: string[] = [];
  const int = (key: string) => (query[key] === undefined ? undefined : Number(query[key]));
  const sinceSeconds = int("sinceSeconds");
  const tailLines = int("tailLines");
  const limitBytes = int("limitBytes");
  if (sinceSeconds !== undefined && !(sinceSeconds >= 1)) {
    problems.push(`sinceSeconds: Invalid value: ${query.sinceSeconds}: must be greater than 0`);
  }
  if (tailLines !== undefined && !(tailLines >= 0)) {
    problems.push(`tailLines: Invalid value: ${query.tailLines}: must be greater than or equal to 0`);
  }
  if (limitBytes !== undefined && !(limitBytes >= 1)) {
    problems.push(`limitBytes: Invalid value: ${query.limitBytes}: must be greater than 0`);
  }
  if (sinceSeconds !== undefined && query.sinceTime !== undefined) {
    problems.push("[]: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
  }
  if (problems.length > 0) {
    const aggregate = problems.length === 1 ? problems[0] : `[${problems.join(", ")}]`;
    throw new KubeError(422, "Invalid", `PodLogOptions "${podName}" is invalid: ${aggregate}`, {
      name: podName,
      kind: "PodLogOptions",
    });
  }
  let sinceNs: bigint | undefined;
  if (query.sinceTime !== undefined) {
    const parsed = parseRfc3339(query.sinceTime);
    if (parsed === undefined) {
      throw badRequest(
        `parsing time ${JSON.stringify(query.sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse`,
      );
    }
    sinceNs = parsed - (parsed % 1_000_000_000n);
  } else if (sinceSeconds !== undefined) {
    sinceNs = nowNanos() - BigInt(sinceSeconds) * 1_000_000_000n;
  }
  return {
    follow: truthy(query.follow),
    previous: truthy(query.previous),
    timestamps: truthy(query.timestamps),
    ...(sinceNs !== undefined ? { sinceNs } : {}),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
}
