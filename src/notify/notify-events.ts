import { z } from "zod";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { Logger } from "../log/logger.ts";
import type { Run, TaskInstance } from "../runs/run-model.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import type { SyncRecord } from "../sync/sync-status.ts";
import { readLogTail } from "./content/log-tail.ts";
import {
  boundNotification,
  maskNotification,
  missedScheduleNotifications,
  type NotificationLinks,
  runSuccessId,
  runSuccessNotification,
  syncFailureNotification,
  taskNotification,
  taskNotificationId,
} from "./content/notification-content.ts";
import {
  type Channel,
  channelLabel,
  channelOf,
  type Notification,
  type NotificationSink,
  type NotifyEvent,
} from "./notification.ts";
import {
  channelsFor,
  type DaemonChannels,
  type NotifyDeclarations,
  unique,
} from "./routing/notify-routing.ts";

export interface NotifyEventParts {
  sink: NotificationSink;
  daemon: DaemonChannels & {
    /** `--notify-commit-author`: a commit that fails to load is also emailed to its author. */
    commitAuthor: boolean;
  };
  links: NotificationLinks;
  mask: SecretMask;
  log: Logger;
  /** The definition a run was created with. */
  definitionOf(run: Run): DagDefinition | undefined;
  /** Where a try's log is (throws for ids that cannot name a file). */
  logFile(run: Run, taskId: string, tryNumber: number): string;
  /** The commit's author email (`%ae`), when the source is git and the commit is known. */
  authorEmail?: (sha: string) => Promise<string | undefined>;
  now: () => Date;
}

const ADDRESS = z.email();
/** Notifications read (log tail) and enqueued at once. */
const PARALLEL_JOBS = 4;

const TASK_EVENTS = new Map<string, "failure" | "retry" | "success">([
  ["failed", "failure"],
  ["up_for_retry", "retry"],
  ["success", "success"],
]);

/**
 * Turns the daemon's events into notifications for the outbox: a try that failed for good, one
 * that will be retried, a task's and a run's success, each missed logical date, and (with
 * --notify-on-sync-failure) a commit that failed to load. Handlers only start the work: reading a
 * log tail and enqueueing never hold up the scheduler, and a failure is logged, never thrown.
 */
export function notifyOnEvents(events: DaemonEventBus, parts: NotifyEventParts) {
  const pending = new Set<Promise<void>>();
  // A burst (thousands of failures at once) must not open thousands of logs and buffers at once:
  // a few jobs run, the rest wait as closures.
  const waiting: Array<() => void> = [];
  let running = 0;
  const slot = async () => {
    if (running < PARALLEL_JOBS) running++;
    // A slot freed is handed to the next job waiting, so `running` never goes past the limit.
    else await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  const start = (work: () => Promise<void>) => {
    const job = slot()
      .then(() => work().finally(release))
      .catch((error: unknown) =>
        parts.log.warn({ error: parts.mask.mask((error as Error).message) }, "notification not enqueued"),
      )
      .finally(() => pending.delete(job));
    pending.add(job);
  };
  const send = async (channels: readonly Channel[], notification: Notification) => {
    if (channels.length === 0) return;
    try {
      await parts.sink.enqueue(channels, boundNotification(maskNotification(notification, parts.mask)));
    } catch (error) {
      // Channels carry secrets in their URLs: name only their hosts.
      parts.log.warn(
        {
          id: notification.id,
          channels: channels.map(channelLabel),
          error: parts.mask.mask((error as Error).message),
        },
        "notification not enqueued",
      );
    }
  };
  const route = (event: NotifyEvent, dag: NotifyDeclarations | undefined, taskId: string | null) =>
    channelsFor(event, dag, taskId, parts.daemon);

  // Failures told by this process: a run that ends failed tells only the failed tasks not told yet.
  const toldFailures = new Set<string>();
  // Channels that have not had this notification yet: a catch-up reads no log for what the outbox
  // already queued or sent.
  const untold = (channels: readonly Channel[], id: string) =>
    channels.filter((channel) => !parts.sink.knows?.(channel, id));
  const onTry = (run: Run, task: TaskInstance, catchingUp = false) => {
    const event = TASK_EVENTS.get(task.state);
    if (!event) return;
    if (event === "failure") remember(toldFailures, failureKey(run, task));
    const routed = route(event, parts.definitionOf(run), task.id);
    const channels = catchingUp ? untold(routed, taskNotificationId(event, run, task)) : routed;
    if (channels.length === 0) return;
    start(async () => {
      const tail = await readLogTail(tryLogOf(parts, run, task), parts.mask);
      await send(channels, taskNotification(event, run, task, tail, parts.links, parts.now()));
    });
  };
  const onSync = (record: SyncRecord) => {
    if (!parts.daemon.onSyncFailure) return;
    if (record.ok && !record.loaded?.importErrors) return;
    const notification = syncFailureNotification(record, parts.links, parts.now());
    if (!notification) return;
    start(async () => {
      const author =
        parts.daemon.commitAuthor && notification.commit
          ? await parts.authorEmail?.(notification.commit).catch(() => undefined)
          : undefined;
      // Git takes almost anything as an author email ("a@x, b@y"): only one real address is mailed.
      const own = author && ADDRESS.safeParse(author).success ? [channelOf({ email: [author] })] : [];
      await send(unique([...route("sync_failure", undefined, null), ...own]), notification);
    });
  };

  const off = [
    events.on("try:finished", ({ run, task }) => onTry(run, task)),
    events.on("run:finished", ({ run }) => {
      // A run ended by its runTimeout, a stop or a mark fails its live tries without a
      // try:finished: each such task is told here, once (after a restart the outbox dedupes).
      if (run.state === "failed")
        for (const task of run.tasks)
          if (task.state === "failed" && !toldFailures.has(failureKey(run, task))) onTry(run, task);
      if (run.state !== "success") return;
      const channels = route("success", parts.definitionOf(run), null);
      if (channels.length > 0)
        start(() => send(channels, runSuccessNotification(run, parts.links, parts.now())));
    }),
    events.on("schedule:missed", (missed) => {
      const declared = { notify: { onMissedSchedule: missed.onMissedSchedule }, onFailure: null, tasks: [] };
      const channels = unique([
        ...route("missed_schedule", declared, null),
        ...(missed.onFailureUrl ? [channelOf({ webhook: missed.onFailureUrl })] : []),
      ]);
      const notifications = missedScheduleNotifications(missed, parts.now());
      start(async () => {
        for (const notification of notifications) await send(channels, notification);
      });
    }),
    events.on("sync:failed", onSync),
    events.on("sync:applied", onSync),
  ];
  return {
    stop: () => off.forEach((unsubscribe) => unsubscribe()),
    /**
     * Tells again what runs that ended since `since` (ms) should have told: a daemon killed between
     * storing a try's end and enqueueing its message sends it after the restart. The outbox drops
     * what it has already queued or sent (same ids), so nothing goes twice. Call once the outbox runs.
     */
    catchUp(runs: Iterable<Run>, since: number) {
      const ended = (at: string | null) => at !== null && Date.parse(at) >= since;
      for (const run of runs) {
        for (const task of run.tasks) if (ended(task.endedAt)) onTry(run, task, true);
        if (run.state !== "success" || !ended(run.endedAt)) continue;
        const channels = untold(route("success", parts.definitionOf(run), null), runSuccessId(run));
        if (channels.length > 0)
          start(() => send(channels, runSuccessNotification(run, parts.links, parts.now())));
      }
    },
    /** Waits for the notifications under way to be enqueued (tests, shutdown). */
    settled: async () => {
      await Promise.all([...pending]);
    },
  };
}

function tryLogOf(parts: NotifyEventParts, run: Run, task: TaskInstance): string {
  try {
    return parts.logFile(run, task.id, task.try);
  } catch {
    return "";
  }
}

/** How many told failures are remembered: far more than a run's tasks, bounded all the same. */
const TOLD_MAX = 10_000;

function failureKey(run: Run, task: TaskInstance): string {
  return `${run.id}\n${task.id}\n${task.try}`;
}

function remember(set: Set<string>, key: string): void {
  set.add(key);
  const oldest = set.size > TOLD_MAX ? set.values().next().value : undefined;
  if (oldest !== undefined) set.delete(oldest);
}
