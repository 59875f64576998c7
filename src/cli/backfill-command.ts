import { setTimeout as sleep } from "node:timers/promises";
import { UsageError } from "../config/flags.ts";
import { type BackfillProgress, progressLine, progressOf } from "./backfill-progress-line.ts";
import { askDaemon, refusal } from "./daemon-request.ts";

export interface BackfillOptions {
  dagId: string;
  from: string;
  to: string;
  rerun: "missing" | "failed" | "all";
  reverse: boolean;
  maxActiveRuns: number | undefined;
  conf: string | undefined;
  detach: boolean;
  server: string;
  token: string | undefined;
}

export interface FollowSettings {
  /** A terminal: one progress line redrawn in place; otherwise one line per change. */
  isTTY: boolean;
  /** Aborted on Ctrl-C: following stops, the backfill goes on. */
  signal: AbortSignal;
  pollMs?: number;
}

/** Polls that may fail in a row (a daemon restarting) before the CLI gives up following. */
const UNREACHABLE_POLLS = 60;

/**
 * `updraft backfill`: starts a backfill on a running daemon, then follows it until it ends (exit
 * 0 on success, 1 on failed or cancelled); `--detach` prints its id and returns at once.
 */
export async function runBackfill(
  options: BackfillOptions,
  follow: FollowSettings,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const answer = await askDaemon({
    server: options.server,
    path: `/api/dags/${encodeURIComponent(options.dagId)}/backfills`,
    token: options.token,
    body: {
      from: options.from,
      to: options.to,
      rerun: options.rerun,
      reverse: options.reverse,
      conf: confOf(options.conf),
      ...(options.maxActiveRuns === undefined ? {} : { maxActiveRuns: options.maxActiveRuns }),
    },
    timeoutMs: 60_000,
  });
  const started = answer.reached && answer.ok ? progressOf(answer.body) : undefined;
  if (!started) {
    err(refusal("backfill", answer, "no backfill in the response"));
    return 1;
  }
  if (options.detach) {
    out(`${started.id}\n`);
    return 0;
  }
  out(`backfill ${started.id}: ${started.planned} logical dates of ${options.dagId}\n`);
  const ended = await followBackfill(options, started, follow, out, err);
  if (!ended) return follow.signal.aborted ? 130 : 1;
  return ended.state === "success" ? 0 : 1;
}

async function followBackfill(
  options: BackfillOptions,
  first: BackfillProgress,
  follow: FollowSettings,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<BackfillProgress | undefined> {
  let last = "";
  let failures = 0;
  let current = first;
  const show = (progress: BackfillProgress) => {
    const line = progressLine(progress);
    if (line === last) return;
    last = line;
    out(follow.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  show(current);
  while (current.state === "running") {
    try {
      await sleep(follow.pollMs ?? 1000, undefined, { signal: follow.signal });
    } catch {
      if (follow.isTTY) out("\n");
      err(
        `updraft: stopped following; backfill ${current.id} goes on on the daemon (cancel it with POST /api/backfills/${current.id}/cancel)\n`,
      );
      return undefined;
    }
    const answer = await askDaemon({
      server: options.server,
      path: `/api/backfills/${encodeURIComponent(current.id)}`,
      token: options.token,
      method: "GET",
      timeoutMs: 10_000,
    });
    const progress = answer.reached && answer.ok ? progressOf(answer.body) : undefined;
    if (!progress) {
      // A daemon restarting is not the end of its backfill: keep asking for a while.
      if (++failures < UNREACHABLE_POLLS && (!answer.reached || answer.status >= 500)) continue;
      if (follow.isTTY) out("\n");
      err(refusal("backfill", answer, "no backfill in the response"));
      return undefined;
    }
    failures = 0;
    current = progress;
    show(current);
  }
  if (follow.isTTY) out("\n");
  return current;
}

function confOf(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let conf: unknown;
  try {
    conf = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--conf is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof conf !== "object" || conf === null || Array.isArray(conf))
    throw new UsageError("--conf must be a JSON object, e.g. '{\"k\":1}'");
  return conf as Record<string, unknown>;
}
