import type { MissedSchedule } from "../../runs/missed-schedule.ts";
import type { Run, TaskInstance } from "../../runs/run-model.ts";
import { localClock } from "../../scheduler/next-run.ts";
import type { SecretMask } from "../../secrets/secret-mask.ts";
import type { SyncRecord } from "../../sync/sync-status.ts";
import type { Notification } from "../notification.ts";

type TaskEvent = "failure" | "retry" | "success";

/** Absolute links into the status page (the HTTP layer builds them: server/page/page-links.ts). */
export interface NotificationLinks {
  run(runId: string): string;
  taskLog(key: { runId: string; taskId: string; try: number }): string;
  sync(sha: string): string;
}

const NONE = {
  dag: null,
  run: null,
  task: null,
  try: null,
  state: null,
  reason: null,
  commit: null,
  logicalDate: null,
  logTail: [],
} satisfies Partial<Notification>;

/** A try that ended: failed for good, failed to be retried, or succeeded (with the try's log tail). */
export function taskNotification(
  event: TaskEvent,
  run: Run,
  task: TaskInstance,
  logTail: string[],
  links: NotificationLinks,
  now: Date,
): Notification {
  const where = `task ${run.dagId}.${task.id}`;
  const tried = `in run ${run.id} (try ${task.try})`;
  const reason = task.reason ?? (event === "success" ? null : "failed");
  const title =
    event === "failure"
      ? `updraft: ${where} failed ${tried}: ${reason}`
      : event === "retry"
        ? `updraft: ${where} failed ${tried}, will be retried: ${reason}`
        : `updraft: ${where} succeeded ${tried}`;
  return {
    ...NONE,
    id: taskNotificationId(event, run, task),
    event,
    title,
    at: task.endedAt ?? now.toISOString(),
    dag: run.dagId,
    run: run.id,
    task: task.id,
    try: task.try,
    state: task.state,
    reason,
    commit: run.commit,
    logicalDate: run.logicalDate,
    logTail,
    links: {
      run: links.run(run.id),
      log: links.taskLog({ runId: run.id, taskId: task.id, try: task.try }),
      sync: run.commit ? links.sync(run.commit) : null,
    },
  };
}

/** The id of a task's notification: the same event of the same try always gets the same one. */
export function taskNotificationId(
  event: "failure" | "retry" | "success",
  run: Pick<Run, "id">,
  task: Pick<TaskInstance, "id" | "try">,
): string {
  return `${event}:${run.id}:${task.id}:${task.try}`;
}

export function runSuccessId(run: Pick<Run, "id">): string {
  return `success:${run.id}`;
}

/** A run that succeeded (the DAG's onSuccess). */
export function runSuccessNotification(run: Run, links: NotificationLinks, now: Date): Notification {
  return {
    ...NONE,
    id: runSuccessId(run),
    event: "success",
    title: `updraft: run ${run.id} of DAG ${run.dagId} succeeded`,
    at: run.endedAt ?? now.toISOString(),
    dag: run.dagId,
    run: run.id,
    state: run.state,
    reason: run.reason ?? null,
    commit: run.commit,
    logicalDate: run.logicalDate,
    links: { run: links.run(run.id), log: null, sync: run.commit ? links.sync(run.commit) : null },
  };
}

/** One notification per missed logical date (oldest first), each naming its own date. */
export function missedScheduleNotifications(missed: MissedSchedule, now: Date): Notification[] {
  return missed.dates.map(({ logicalDate, kind, summary, reason }) => ({
    ...NONE,
    id: `missed:${missed.dagId}:${logicalDate}:${kind}`,
    event: "missed_schedule",
    title: `updraft: DAG "${missed.dagId}" missed its ${localTime(logicalDate, missed.timezone)} ${missed.timezone} schedule: ${summary}`,
    at: now.toISOString(),
    dag: missed.dagId,
    state: "missed",
    reason,
    logicalDate,
    links: { run: null, log: null, sync: null },
    missed: { kind },
  }));
}

/** A commit that failed to load (import errors) or a sync of a known commit that failed; undefined without a commit. */
export function syncFailureNotification(
  record: SyncRecord,
  links: NotificationLinks,
  now: Date,
): Notification | undefined {
  const { sha, loaded } = record;
  if (!sha) return undefined;
  const first = loaded?.firstError ?? null;
  const place = first ? `${first.file}${first.line === null ? "" : `:${first.line}`}` : null;
  const count = loaded?.importErrors ?? 0;
  const reason = first
    ? `${count} import error${count === 1 ? "" : "s"}, the first at ${place}: ${oneLine(first.message)}`
    : oneLine(record.error ?? "the sync failed");
  return {
    ...NONE,
    id: `sync:${sha}`,
    event: "sync_failure",
    title: `updraft: commit ${sha.slice(0, 12)} failed to load: ${reason}`,
    at: record.at || now.toISOString(),
    state: "import_error",
    reason,
    commit: sha,
    links: { run: null, log: null, sync: links.sync(sha) },
  };
}

/** The notification with every text passed through the daemon's secret mask. */
export function maskNotification(notification: Notification, mask: SecretMask): Notification {
  const text = (value: string | null) => (value === null ? null : mask.mask(value));
  const { links } = notification;
  return {
    ...notification,
    title: mask.mask(notification.title),
    dag: text(notification.dag),
    run: text(notification.run),
    task: text(notification.task),
    state: text(notification.state),
    reason: text(notification.reason),
    commit: text(notification.commit),
    logTail: notification.logTail.map((line) => mask.mask(line)),
    links: { run: text(links.run), log: text(links.log), sync: text(links.sync) },
  };
}

/** Characters kept of a notification's texts: a thrown 2 MB message must not make a record the outbox cannot keep. */
const TEXT_MAX = { title: 1000, reason: 4000, field: 500, line: 1000, link: 4000 } as const;

/**
 * The notification with each text cut to a bound (after masking: a cut must not leave half a
 * secret the mask no longer recognises), so one stays far below the outbox's record size.
 */
export function boundNotification(notification: Notification): Notification {
  const cut = (value: string | null, max: number) =>
    value === null || value.length <= max ? value : `${value.slice(0, max - 1)}…`;
  const field = (value: string | null) => cut(value, TEXT_MAX.field);
  const link = (value: string | null) => cut(value, TEXT_MAX.link);
  const { links } = notification;
  return {
    ...notification,
    title: cut(notification.title, TEXT_MAX.title) ?? "",
    dag: field(notification.dag),
    run: field(notification.run),
    task: field(notification.task),
    state: field(notification.state),
    reason: cut(notification.reason, TEXT_MAX.reason),
    commit: field(notification.commit),
    logicalDate: field(notification.logicalDate),
    logTail: notification.logTail.slice(-20).map((line) => cut(line, TEXT_MAX.line) ?? ""),
    links: { run: link(links.run), log: link(links.log), sync: link(links.sync) },
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** `2026-12-05 06:00` on the DAG's wall clock (seconds only when the schedule has them). */
function localTime(iso: string, timeZone: string): string {
  const { second, text } = localClock(timeZone)(new Date(iso));
  return second === 0 ? text.slice(0, -3) : text;
}
