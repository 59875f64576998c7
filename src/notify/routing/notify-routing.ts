import type { DagNotifySpec, NotifyChannelSpec, TaskNotifySpec } from "../../dags/spec/notify-schema.ts";
import { type Channel, channelKey, channelOf, type NotifyEvent } from "../notification.ts";

/** What a DAG declares for notifications: its `notify`, its tasks' and its old `onFailure: { url }`. */
export interface NotifyDeclarations {
  notify?: DagNotifySpec | undefined;
  onFailure?: { url: string } | null | undefined;
  tasks: ReadonlyArray<{ id: string; notify?: TaskNotifySpec | undefined }>;
}

/** The daemon-wide channels (`--notify-email`, `--notify-slack`, `--notify-url`). */
export interface DaemonChannels {
  defaults: readonly Channel[];
  /** `--notify-on-sync-failure`: the defaults also get sync failures. */
  onSyncFailure: boolean;
}

const SPEC_KEY = {
  failure: "onFailure",
  retry: "onRetry",
  success: "onSuccess",
  missed_schedule: "onMissedSchedule",
} as const;

/**
 * Where one event goes: the task's list for the event if it declares one, else the DAG's; plus the
 * old `onFailure: { url }` as a webhook and the daemon-wide defaults for failures and missed
 * schedules; each channel once. `taskId` null: a run-level event; a task's success goes only to
 * the task's own onSuccess. Pure.
 */
export function channelsFor(
  event: NotifyEvent,
  dag: NotifyDeclarations | undefined,
  taskId: string | null,
  daemon: DaemonChannels,
): Channel[] {
  const channels: Channel[] = [];
  if (event !== "sync_failure" && dag) {
    const key = SPEC_KEY[event];
    const task = taskId === null ? undefined : dag.tasks.find((candidate) => candidate.id === taskId);
    const own = key === "onMissedSchedule" ? undefined : task?.notify?.[key];
    // A task's success is told only to its own onSuccess: the DAG's onSuccess is for the run.
    const inherited = event === "success" && taskId !== null ? undefined : dag.notify?.[key];
    const specs: readonly NotifyChannelSpec[] = own ?? inherited ?? [];
    channels.push(...specs.map(channelOf));
    if ((event === "failure" || event === "missed_schedule") && dag.onFailure?.url)
      channels.push(channelOf({ webhook: dag.onFailure.url }));
  }
  if (
    event === "failure" ||
    event === "missed_schedule" ||
    (event === "sync_failure" && daemon.onSyncFailure)
  )
    channels.push(...daemon.defaults);
  return unique(channels);
}

/** Each channel once, in the order first seen. */
export function unique(channels: readonly Channel[]): Channel[] {
  const byKey = new Map<string, Channel>();
  for (const channel of channels)
    if (!byKey.has(channelKey(channel))) byKey.set(channelKey(channel), channel);
  return [...byKey.values()];
}
