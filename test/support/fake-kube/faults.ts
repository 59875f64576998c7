import type { RequestInfo } from "./api/request-info.ts";
import { statusForCode, type KubeError } from "./status.ts";

/** Which requests a fault applies to: a RegExp (or its source) tested on the path, or any predicate. */
export type RequestMatch = RegExp | string | ((request: RequestInfo) => boolean);

export interface LogCut {
  /** End the stream after this many bytes of body … */
  afterBytes?: number;
  /** … or after this many lines. */
  afterLines?: number;
  /** Drop the connection instead of ending the response cleanly. */
  abrupt?: boolean;
}

interface Rule<T> {
  match: (request: RequestInfo) => boolean;
  remaining: number;
  value: T;
}

const matcher = (match: RequestMatch, method?: string) => {
  const test =
    typeof match === "function"
      ? match
      : (r: RequestInfo) => (typeof match === "string" ? new RegExp(match) : match).test(r.path);
  return (r: RequestInfo) => (method === undefined || r.method === method.toUpperCase()) && test(r);
};

function take<T>(rules: Rule<T>[], request: RequestInfo): T | undefined {
  const rule = rules.find((r) => r.remaining > 0 && r.match(request));
  if (!rule) return undefined;
  rule.remaining--;
  return rule.value;
}

/** How a request fails: with a Status, or by the connection dropping; before or after it took effect. */
export interface Failure {
  error?: KubeError;
  /** Close the connection without an answer. */
  drop?: boolean;
  /** Apply the request first (the object is created, say), then fail: the client cannot know it worked. */
  after: boolean;
}

export interface FailOptions {
  method?: string;
  message?: string;
  after?: boolean;
  /** With 429 or 503: the `Retry-After` seconds (details.retryAfterSeconds and the header); default 1. */
  retryAfterSeconds?: number;
}

/** Faults a test injects on the server object: failed requests, slow requests, cut log streams. */
export class Faults {
  #failures: Rule<Failure>[] = [];
  #delays: Rule<number>[] = [];
  #logCuts: Rule<LogCut>[] = [];

  /** The next `count` matching requests fail with `status` (a real Status body, Retry-After on 429/503). */
  failNext(match: RequestMatch, status: number, count = 1, options: FailOptions = {}): void {
    this.#failures.push({
      match: matcher(match, options.method),
      remaining: count,
      value: {
        error: statusForCode(status, options.message, options.retryAfterSeconds),
        after: options.after ?? false,
      },
    });
  }

  /** The next `count` matching requests are refused with `error` (an admission denial, say), nothing applied. */
  refuseNext(match: RequestMatch, error: KubeError, count = 1, options: { method?: string } = {}): void {
    this.#failures.push({
      match: matcher(match, options.method),
      remaining: count,
      value: { error, after: false },
    });
  }

  /** The next `count` matching requests get no answer: the connection is closed (after applying, if asked). */
  dropNext(match: RequestMatch, count = 1, options: Omit<FailOptions, "message"> = {}): void {
    this.#failures.push({
      match: matcher(match, options.method),
      remaining: count,
      value: { drop: true, after: options.after ?? false },
    });
  }

  /** Matching requests wait `ms` before they are handled, until the returned function is called. */
  delay(match: RequestMatch, ms: number, options: { method?: string } = {}): () => void {
    const rule = { match: matcher(match, options.method), remaining: Number.POSITIVE_INFINITY, value: ms };
    this.#delays.push(rule);
    return () => {
      this.#delays = this.#delays.filter((r) => r !== rule);
    };
  }

  /** The next `count` matching log requests are cut short (a dropped follow, a rotated log). */
  cutLogs(cut: LogCut, count = 1, match: RequestMatch = /\/log$/): void {
    this.#logCuts.push({ match: matcher(match), remaining: count, value: cut });
  }

  clear(): void {
    this.#failures = [];
    this.#delays = [];
    this.#logCuts = [];
  }

  failureFor(request: RequestInfo): Failure | undefined {
    return take(this.#failures, request);
  }

  delayFor(request: RequestInfo): number {
    return this.#delays.filter((r) => r.match(request)).reduce((sum, r) => sum + r.value, 0);
  }

  logCutFor(request: RequestInfo): LogCut | undefined {
    return take(this.#logCuts, request);
  }
}
