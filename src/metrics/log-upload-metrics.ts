import { Counter, Gauge, type Registry } from "prom-client";

/** What `--log-store` reports: each upload attempt, and how many logs wait to be uploaded. */
export interface LogUploadMetrics {
  uploadAttempt(result: "success" | "error"): void;
}

/** `updraft_log_uploads_total{result}` and `updraft_log_upload_pending` (read at scrape time). */
export function logUploadMetrics(registry: Registry, pending: () => number): LogUploadMetrics {
  const registers = [registry];
  const uploads = new Counter({
    name: "updraft_log_uploads_total",
    help: "Task log upload attempts to --log-store, by result (success or error; an error is retried).",
    labelNames: ["result"] as const,
    registers,
  });
  // Both results exist from the start, so a rate() has a series before the first failure.
  uploads.inc({ result: "success" }, 0);
  uploads.inc({ result: "error" }, 0);
  new Gauge({
    name: "updraft_log_upload_pending",
    help: "Task logs waiting to be uploaded to --log-store (queued, waiting to retry, or under way).",
    registers,
    collect() {
      this.set(pending());
    },
  });
  return { uploadAttempt: (result) => uploads.inc({ result }) };
}
