import type { Logger } from "../log/logger.ts";
import type { SyncRecord } from "../sync/sync-status.ts";
import type { CommitStatus, CommitStatusClient, PostResult } from "./commit-status-client.ts";
import { commitStatusFor } from "./commit-status-text.ts";
import type { GitHubRepo } from "./github-repo.ts";
import type { PostedCommits } from "./posted-commits.ts";

/** Statuses waiting to be posted; past it the oldest is dropped (the newest commit matters most). */
export const STATUS_QUEUE_LIMIT = 20;

/** What the publisher counts (`updraft_github_status_posts_total{result}`). */
export type PublishResult = Exclude<PostResult, "aborted"> | "retried" | "dropped";

export interface CommitStatusPublisherOptions {
  client: Pick<CommitStatusClient, "post">;
  posted: PostedCommits;
  repo: GitHubRepo;
  log: Pick<Logger, "info" | "warn" | "error">;
  /** `--public-url`: the status links to the sync on the page; without it, no link. */
  publicUrl: string | undefined;
  count: (result: PublishResult) => void;
  maxQueued?: number;
}

/**
 * Posts a commit status for every sync, in the background: at most once per commit (remembered
 * across restarts), through a bounded queue, so a slow or refusing GitHub never holds up syncing.
 */
export class CommitStatusPublisher {
  readonly #options: CommitStatusPublisherOptions;
  readonly #abort = new AbortController();
  readonly #loaded: Promise<void>;
  /** Results already explained in the log (401, 404): said once, then only counted. */
  readonly #explained = new Set<PostResult>();
  #queue: CommitStatus[] = [];
  #worker: Promise<void> | undefined;
  #stopped = false;

  constructor(options: CommitStatusPublisherOptions) {
    this.#options = options;
    this.#loaded = options.posted.load();
  }

  /** Queues the status of the commit `record` tried (if it has one and it was not posted before). */
  add(record: SyncRecord): void {
    if (this.#stopped) return;
    const status = commitStatusFor(record, this.#options.publicUrl);
    if (!status || this.#options.posted.has(status.sha)) return;
    // A later sync of the same commit says the same or newer: it replaces the queued one.
    this.#queue = this.#queue.filter((queued) => queued.sha !== status.sha);
    this.#queue.push(status);
    if (this.#queue.length > (this.#options.maxQueued ?? STATUS_QUEUE_LIMIT)) {
      const dropped = this.#queue.shift();
      this.#options.count("dropped");
      this.#options.log.warn({ sha: dropped?.sha }, "commit status dropped: too many waiting to be posted");
    }
    this.#kick();
  }

  /**
   * Gives up the queue, the retries and the request under way (stopping must not wait for GitHub).
   * A status GitHub got just before is not recorded, so a restart may post it again: harmless, as
   * GitHub shows the newest status of a context.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#queue = [];
    this.#abort.abort();
    await this.#worker;
  }

  #kick(): void {
    if (this.#worker || this.#stopped || this.#queue.length === 0) return;
    this.#worker = this.#drain().finally(() => {
      this.#worker = undefined;
      this.#kick();
    });
  }

  async #drain(): Promise<void> {
    await this.#loaded;
    const { client, posted, log, count } = this.#options;
    for (let next = this.#queue.shift(); next && !this.#stopped; next = this.#queue.shift()) {
      if (posted.has(next.sha)) continue;
      const result = await client.post(next, this.#abort.signal);
      if (result === "aborted") return;
      count(result);
      if (result !== "posted") {
        this.#explain(result, next);
        continue;
      }
      log.info({ sha: next.sha, state: next.state, description: next.description }, "commit status posted");
      await posted
        .add(next.sha)
        .catch((error: unknown) =>
          log.warn(
            { err: error, sha: next.sha },
            "could not record the posted commit status (a restart may post it again)",
          ),
        );
    }
  }

  #explain(result: PostResult, status: CommitStatus): void {
    const { log, repo } = this.#options;
    const name = `${repo.owner}/${repo.name}`;
    const context = { sha: status.sha, repo: name, result };
    if (result === "unauthorized" || result === "not_found") {
      if (this.#explained.has(result)) return;
      this.#explained.add(result);
      log.error(
        context,
        result === "unauthorized"
          ? `GitHub refused the token (401) for commit statuses on ${name}: give a token with the repo:status scope in UPDRAFT_GITHUB_TOKEN or --github-token-file (said once; further refusals are counted in updraft_github_status_posts_total)`
          : `GitHub answered 404 for commit statuses on ${name}: check --github-repo, and that the token may see the repository (scope repo:status) (said once; further ones are counted)`,
      );
      return;
    }
    log.warn(
      context,
      result === "gave_up"
        ? "commit status not posted: GitHub kept failing or rate-limiting; gave up"
        : "commit status not posted: GitHub rejected it",
    );
  }
}
