import type { LoaderLimits } from "../dags/loader/loader-pool.ts";
import { parseDuration } from "../dags/spec/duration.ts";
import { type FlagDefinition, UsageError } from "./flags.ts";

/** Flags shared by every command that loads DAG modules. */
export const LOADER_FLAGS: readonly FlagDefinition[] = [
  {
    name: "load-timeout",
    type: "string",
    default: "30s",
    description: "How long one DAG module may take to load before it is reported as hanging.",
  },
  {
    name: "load-memory",
    type: "string",
    default: "512",
    description: "Memory limit (MB) of each DAG loader process; a module that exceeds it is reported.",
  },
];

export function loaderLimitsFrom(
  values: Record<string, string | boolean | undefined>,
): Partial<LoaderLimits> {
  const timeout = String(values["load-timeout"]);
  const timeoutMs = parseDuration(timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) {
    throw new UsageError(`--load-timeout: "${timeout}" is not a duration (e.g. "30s", "2m")`);
  }
  const memory = String(values["load-memory"]);
  const memoryMb = Number(memory);
  if (!Number.isInteger(memoryMb) || memoryMb < 32) {
    throw new UsageError(`--load-memory: "${memory}" is not a whole number of megabytes (at least 32)`);
  }
  return { timeoutMs, memoryMb };
}
