import { localClock } from "./next-run.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { MissedSchedule } from "../runs/missed-schedule.ts";
import type { FailureNotifier } from "./failure-notifier.ts";

/** The JSON a missed-schedule notification posts: Slack-compatible `text` plus structured fields. */
export interface MissedScheduleMessage {
  text: string;
  dag: string;
  /** The newest logical date missed (ISO). */
  logicalDate: string;
  kind: "start" | "finish";
  reason: string;
  /** Logical dates this message covers (more than 1 after a downtime). */
  count: number;
}

/**
 * Sends one message per missed-schedule alert to the DAG's failure channels (its `onFailure` URL
 * and `--notify-url`), in the background as failure messages are: a dead webhook never holds up
 * the scheduler. Subscribes to `schedule:missed`; returns the unsubscribe function.
 */
export function notifyMissedSchedules(
  events: DaemonEventBus,
  notifier: Pick<FailureNotifier, "notify">,
  options: { notifyUrl?: string | undefined },
): () => void {
  return events.on("schedule:missed", (missed) => {
    notifier.notify([missed.onFailureUrl, options.notifyUrl], missedScheduleMessage(missed));
  });
}

/** `updraft: DAG "etl" missed its 2026-12-05 06:00 UTC schedule: no run started within 15m (DAG paused)`. */
export function missedScheduleMessage(missed: MissedSchedule): MissedScheduleMessage {
  const when = `${localTime(missed.logicalDate, missed.timezone)} ${missed.timezone}`;
  const what =
    missed.count === 1
      ? `missed its ${when} schedule`
      : `missed ${missed.count} schedules, the newest ${when}`;
  return {
    text: `updraft: DAG "${missed.dagId}" ${what}: ${missed.summary}`,
    dag: missed.dagId,
    logicalDate: missed.logicalDate,
    kind: missed.kind,
    reason: missed.reason,
    count: missed.count,
  };
}

/** `2026-12-05 06:00` on the DAG's wall clock (seconds only when the schedule has them). */
function localTime(iso: string, timeZone: string): string {
  const { second, text } = localClock(timeZone)(new Date(iso));
  return second === 0 ? text.slice(0, -3) : text;
}
