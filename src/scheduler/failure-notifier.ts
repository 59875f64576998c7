import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { Logger } from "../log/logger.ts";
import type { Run } from "../runs/run-model.ts";

/** The JSON a failure notification posts: Slack-compatible `text` plus structured fields. */
export interface FailureMessage {
  text: string;
  dag: string;
  run: string;
  task: string;
  try: number;
  reason: string;
  logUrl: string;
}

/** What any notification posts: Slack-compatible `text`, the DAG, and structured fields. */
export interface NotificationMessage {
  text: string;
  dag: string;
  run?: string;
  task?: string;
}

const ATTEMPTS = 4;

/**
 * Posts failure messages in the background: delivery is retried with backoff and failures are
 * logged, never thrown, so a dead webhook cannot hold up the scheduler.
 */
export class FailureNotifier {
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly log: Logger,
    private readonly options: { fetch?: typeof fetch; baseDelayMs?: number; timeoutMs?: number } = {},
  ) {}

  notify<M extends NotificationMessage>(urls: ReadonlyArray<string | null | undefined>, message: M): void {
    for (const url of new Set(urls.filter((u): u is string => Boolean(u)))) {
      const delivery = this.#deliver(url, message).finally(() => this.#pending.delete(delivery));
      this.#pending.add(delivery);
    }
  }

  /** Waits for deliveries under way (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #deliver(url: string, message: NotificationMessage): Promise<void> {
    const send = this.options.fetch ?? fetch;
    const baseDelay = this.options.baseDelayMs ?? 1000;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const response = await send(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(message),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        if (response.ok) return;
        throw new Error(`HTTP ${response.status}`);
      } catch (error) {
        const host = safeHost(url);
        if (attempt === ATTEMPTS) {
          // fetch's messages may quote the URL (credentials, invalid URLs): put the host in its place.
          const detail = (error as Error).message.split(url).join(host);
          this.log.warn(
            { dag: message.dag, run: message.run, task: message.task, host, error: detail },
            message.task === undefined ? "notification not delivered" : "failure notification not delivered",
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, baseDelay * 4 ** (attempt - 1)).unref());
      }
    }
  }
}

/** Links a notification carries; built by the HTTP layer, which owns the paths (see server/routes/api-links.ts). */
export interface FailureLinks {
  taskLog(key: { runId: string; taskId: string; try: number }): string;
}

export interface FailureNotifications {
  /** `--notify-url`: receives every final task failure, besides a DAG's own onFailure. */
  notifyUrl?: string | undefined;
  links: FailureLinks;
  /** The definition a run was created with, for its `onFailure` URL. */
  definitionOf(run: Run): DagDefinition | undefined;
}

/**
 * Sends one message per task whose last try failed (retries exhausted), to the DAG's onFailure
 * URL and `--notify-url`. Subscribes to `try:finished`; returns the unsubscribe function.
 */
export function notifyFailures(
  events: DaemonEventBus,
  notifier: FailureNotifier,
  options: FailureNotifications,
): () => void {
  return events.on("try:finished", ({ run, task }) => {
    if (task.state !== "failed") return;
    const reason = task.reason ?? "failed";
    notifier.notify([options.definitionOf(run)?.onFailure?.url, options.notifyUrl], {
      text: `updraft: task ${run.dagId}.${task.id} failed in run ${run.id} (try ${task.try}): ${reason}`,
      dag: run.dagId,
      run: run.id,
      task: task.id,
      try: task.try,
      reason,
      logUrl: options.links.taskLog({ runId: run.id, taskId: task.id, try: task.try }),
    });
  });
}

/** Webhook URLs often carry a secret in their path: log only the host. */
function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}
