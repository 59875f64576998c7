import type { LoaderLimits } from "../dags/loader/loader-pool.ts";
import { durationOfAtLeast, valid, wholeNumberOfAtLeast } from "./flag-parsers.ts";
import { flag, type FlagValues } from "./flags.ts";

/** Flags shared by every command that loads DAG modules (`run` and `check`). */
export const LOADER_FLAGS = [
  flag({
    name: "load-timeout",
    default: "30s",
    description: "How long one DAG module may take to load before it is reported as hanging.",
    parse: valid('is not a duration (e.g. "30s", "2m")', durationOfAtLeast(1)),
  }),
  flag({
    name: "load-memory",
    default: "512",
    description: "Memory limit (MB) of each DAG loader process; a module that exceeds it is reported.",
    parse: valid("is not a whole number of megabytes (at least 32)", wholeNumberOfAtLeast(32)),
  }),
] as const;

/** The loader limits the flags set (the pool's own default for the rest). */
export function loaderLimitsFrom(values: FlagValues<typeof LOADER_FLAGS>): Partial<LoaderLimits> {
  return { timeoutMs: values["load-timeout"], memoryMb: values["load-memory"] };
}
