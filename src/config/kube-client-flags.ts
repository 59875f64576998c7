import { valid } from "./flag-parsers.ts";
import type { RunFlagValues } from "./run-flags.ts";

/** `--kube-qps` default, as client-go's flag (kube-controller-manager's is 20 too). */
export const DEFAULT_KUBE_QPS = 20;
/** `--kube-burst` default. */
export const DEFAULT_KUBE_BURST = 40;

/** A request rate of at least 0.01 a second: below it one token would take over 100 s (timers overflow long before 0). */
export const requestsPerSecond = valid(
  'is not a number of requests per second of at least 0.01 (e.g. "20", "0.5")',
  (text) => {
    const value = Number(text);
    return text.trim() !== "" && Number.isFinite(value) && value >= 0.01 ? value : undefined;
  },
);

/** The API server request budget the daemon shares between its executor and leader election. */
export function kubeRateFrom(values: RunFlagValues): { qps: number; burst: number } {
  return { qps: values["kube-qps"], burst: values["kube-burst"] };
}
