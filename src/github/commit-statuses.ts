import type { Logger } from "../log/logger.ts";
import type { StateWriter } from "../store/durable-write.ts";
import type { SyncRecord } from "../sync/sync-status.ts";
import { CommitStatusClient, type Sleep } from "./commit-status-client.ts";
import { CommitStatusPublisher, type PublishResult } from "./commit-status-publisher.ts";
import type { GitHubRepo } from "./github-repo.ts";
import { PostedCommits } from "./posted-commits.ts";

/** What `--github-status` needs to post; see config/github-config.ts. */
export interface CommitStatusSettings {
  apiUrl: string;
  repo: GitHubRepo;
  token: string;
}

export interface CommitStatusParts {
  stateDir: string;
  publicUrl: string | undefined;
  log: Pick<Logger, "info" | "warn" | "error">;
  writer: StateWriter;
  count: (result: PublishResult) => void;
  clock: { now(): number; after(ms: number, callback: () => void): () => void };
}

/** Commit statuses for every sync: follows the sync events; `stop` ends the retries under way. */
export function startCommitStatuses(
  events: { on(event: "sync:applied" | "sync:failed", listener: (record: SyncRecord) => void): () => void },
  settings: CommitStatusSettings,
  parts: CommitStatusParts,
): { stop(): Promise<void> } {
  const { clock, log, count } = parts;
  const client = new CommitStatusClient({
    ...settings,
    now: () => clock.now(),
    sleep: clockSleep(clock),
    onRetry: ({ status, waitMs, attempt }) => {
      count("retried");
      log.info({ status, waitMs, attempt }, "commit status: GitHub asked to wait; retrying");
    },
  });
  const publisher = new CommitStatusPublisher({
    client,
    posted: new PostedCommits(parts.stateDir, parts.writer),
    repo: settings.repo,
    log,
    publicUrl: parts.publicUrl,
    count,
  });
  const off = [
    events.on("sync:applied", (r) => publisher.add(r)),
    events.on("sync:failed", (r) => publisher.add(r)),
  ];
  return {
    stop: () => {
      for (const unsubscribe of off) unsubscribe();
      return publisher.stop();
    },
  };
}

function clockSleep(clock: CommitStatusParts["clock"]): Sleep {
  return (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Error("aborted"));
      const cancel = clock.after(ms, () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
      const onAbort = () => {
        cancel();
        reject(new Error("aborted"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
}
