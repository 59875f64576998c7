import { type FlagDefinition, UsageError } from "./flags.ts";

/** `--max-conf-bytes` default: 64 KiB. */
export const DEFAULT_MAX_CONF_BYTES = 65_536;
/** `--max-queued-runs` default. */
export const DEFAULT_MAX_QUEUED_RUNS = 100;

/** Bounds on what a request may add to the daemon's state. */
export const LIMIT_FLAGS: readonly FlagDefinition[] = [
  {
    name: "max-conf-bytes",
    type: "string",
    default: String(DEFAULT_MAX_CONF_BYTES),
    description: "Largest conf (as JSON, in bytes) a manual trigger may carry; a larger one gets 413.",
  },
  {
    name: "max-queued-runs",
    type: "string",
    default: String(DEFAULT_MAX_QUEUED_RUNS),
    description: "Queued runs a DAG may have; a trigger over it gets 429 with the count.",
  },
];

export interface RunLimits {
  maxConfBytes: number;
  maxQueuedRuns: number;
}

export function runLimitsFrom(values: Record<string, string | boolean | undefined>): RunLimits {
  const whole = (flag: string, fallback: number) => {
    const raw = values[flag];
    const text = typeof raw === "string" && raw !== "" ? raw : String(fallback);
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1)
      throw new UsageError(`--${flag}: "${text}" is not a whole number ≥ 1`);
    return value;
  };
  return {
    maxConfBytes: whole("max-conf-bytes", DEFAULT_MAX_CONF_BYTES),
    maxQueuedRuns: whole("max-queued-runs", DEFAULT_MAX_QUEUED_RUNS),
  };
}
