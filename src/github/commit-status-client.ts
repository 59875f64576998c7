import { Octokit } from "@octokit/rest";
import type { GitHubRepo } from "./github-repo.ts";

/** The status context every commit gets: branch protection rules name it. */
export const STATUS_CONTEXT = "updraft/dags";

/** One commit status as GitHub takes it. */
export interface CommitStatus {
  sha: string;
  state: "success" | "failure";
  /** At most 140 characters (GitHub's limit). */
  description: string;
  targetUrl?: string;
}

/**
 * How a post ended: `posted`; `unauthorized` (401: the token is wrong or lacks `repo:status`);
 * `not_found` (404: wrong repository, or the token cannot see it); `rejected` (another 4xx);
 * `gave_up` (5xx or rate limits past the bound); `aborted` (the daemon is stopping).
 */
export type PostResult = "posted" | "unauthorized" | "not_found" | "rejected" | "gave_up" | "aborted";

/** Waits `ms`, or rejects when `signal` aborts. Tests pass one that returns at once and records `ms`. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface CommitStatusClientOptions {
  apiUrl: string;
  repo: GitHubRepo;
  token: string;
  sleep: Sleep;
  /** Milliseconds since the epoch (for `x-ratelimit-reset`). */
  now: () => number;
  /** Tries per status before giving up (default 6). */
  maxAttempts?: number;
  /** Longest wait a `Retry-After` or rate-limit reset may ask for (default 10 min). */
  maxWaitMs?: number;
  /** First backoff after a 5xx without `Retry-After`, doubled each try (default 2 s). */
  backoffMs?: number;
  /** How long one request may take before it counts as unanswered and is retried (default 30 s). */
  requestTimeoutMs?: number;
  /** Told about every try that will be retried. */
  onRetry?: (info: { status: number | null; waitMs: number; attempt: number }) => void;
}

/** Posts commit statuses through @octokit/rest, retrying 5xx and secondary rate limits as GitHub asks. */
export class CommitStatusClient {
  readonly #octokit: Octokit;
  readonly #options: CommitStatusClientOptions;

  constructor(options: CommitStatusClientOptions) {
    this.#options = options;
    const quiet = () => undefined;
    this.#octokit = new Octokit({
      auth: options.token,
      baseUrl: options.apiUrl,
      userAgent: "updraft",
      // Octokit's own log would print to the console; outcomes are reported by the caller.
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
  }

  async post(status: CommitStatus, signal: AbortSignal): Promise<PostResult> {
    const { maxAttempts = 6, sleep } = this.#options;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return "aborted";
      const answer = await this.#send(status, signal);
      if (answer.ok) return "posted";
      if (signal.aborted) return "aborted";
      const waitMs = this.#retryWait(answer, attempt);
      if (waitMs === undefined) return finalResult(answer.status);
      if (attempt >= maxAttempts) return "gave_up";
      this.#options.onRetry?.({ status: answer.status, waitMs, attempt });
      try {
        await sleep(waitMs, signal);
      } catch {
        return "aborted";
      }
    }
  }

  async #send(status: CommitStatus, signal: AbortSignal): Promise<Answer> {
    const { repo } = this.#options;
    try {
      await this.#octokit.rest.repos.createCommitStatus({
        owner: repo.owner,
        repo: repo.name,
        sha: status.sha,
        state: status.state,
        context: STATUS_CONTEXT,
        description: status.description,
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
        // A GitHub that never answers must not hold the queue: the try times out and is retried.
        request: {
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.#options.requestTimeoutMs ?? 30_000)]),
        },
      });
      return { ok: true, status: 201, headers: new Map() };
    } catch (error) {
      const failed = error as { status?: unknown; response?: { headers?: Record<string, unknown> } };
      const headers = new Map<string, string>();
      for (const [name, value] of Object.entries(failed.response?.headers ?? {}))
        if (typeof value === "string" || typeof value === "number")
          headers.set(name.toLowerCase(), String(value));
      // No status: the request never got an answer (connection refused, reset): retried like a 5xx.
      const code = typeof failed.status === "number" && failed.status >= 100 ? failed.status : null;
      return { ok: false, status: code, headers };
    }
  }

  /** How long to wait before the next try, or undefined when the answer is final. */
  #retryWait(answer: Answer, attempt: number): number | undefined {
    const { maxWaitMs = 600_000, backoffMs = 2_000, now } = this.#options;
    const backoff = Math.min(maxWaitMs, backoffMs * 2 ** (attempt - 1));
    const retryAfter = retryAfterMs(answer.headers.get("retry-after"), now());
    if (answer.status === null || answer.status >= 500) return Math.min(maxWaitMs, retryAfter ?? backoff);
    if (answer.status === 403 || answer.status === 429) {
      if (retryAfter !== undefined) return Math.min(maxWaitMs, retryAfter);
      if (answer.headers.get("x-ratelimit-remaining") === "0") {
        const reset = Number(answer.headers.get("x-ratelimit-reset"));
        const untilReset = Number.isFinite(reset) ? reset * 1000 - now() : NaN;
        return Math.min(maxWaitMs, untilReset > 0 ? untilReset : backoff);
      }
      // A 429 is a rate limit whatever its headers say; a bare 403 is a permission problem.
      return answer.status === 429 ? backoff : undefined;
    }
    return undefined;
  }
}

interface Answer {
  ok: boolean;
  status: number | null;
  headers: ReadonlyMap<string, string>;
}

function finalResult(status: number | null): PostResult {
  if (status === 401) return "unauthorized";
  if (status === 404) return "not_found";
  return "rejected";
}

/** `Retry-After` as seconds or as an HTTP date, in milliseconds from `now`. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
