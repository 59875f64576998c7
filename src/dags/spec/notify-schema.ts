import { z } from "zod";

const MAX_RECIPIENTS = 50;
const MAX_CHANNELS = 20;

const webUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

/** One place a notification goes: `{ email: [...] }`, `{ slack: url }` or `{ webhook: url }`. */
export const notifyChannelSchema = z.union([
  z.strictObject({
    email: z
      .array(z.email({ error: "must be an email address" }))
      .min(1, "needs at least one address")
      .max(MAX_RECIPIENTS, `at most ${MAX_RECIPIENTS} addresses`),
  }),
  z.strictObject({ slack: webUrl }),
  z.strictObject({ webhook: webUrl }),
]);

const channelList = z.array(notifyChannelSchema).max(MAX_CHANNELS, `at most ${MAX_CHANNELS} channels`);

/**
 * `notify` on a DAG: where each kind of event is sent. A list set on a task replaces the DAG's list
 * for that event and task (`[]` silences it); the daemon-wide defaults are added to both.
 */
export const dagNotifySchema = z.strictObject({
  onFailure: channelList.optional(),
  onRetry: channelList.optional(),
  onSuccess: channelList.optional(),
  onMissedSchedule: channelList.optional(),
});

/** `notify` on a task: the task-level events only (a missed schedule belongs to the DAG). */
export const taskNotifySchema = z.strictObject({
  onFailure: channelList.optional(),
  onRetry: channelList.optional(),
  onSuccess: channelList.optional(),
});

export type NotifyChannelSpec = z.output<typeof notifyChannelSchema>;
export type DagNotifySpec = z.output<typeof dagNotifySchema>;
export type TaskNotifySpec = z.output<typeof taskNotifySchema>;
