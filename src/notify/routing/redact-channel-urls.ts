import type { DagDefinition } from "../../dags/spec/dag-schema.ts";
import type { NotifyChannelSpec } from "../../dags/spec/notify-schema.ts";

/**
 * A URL as it may be shown: its origin only. A Slack or webhook URL carries its secret in the
 * path (or the query), so the API shows where a channel goes, never how to post to it.
 */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return "(invalid URL)";
  }
}

const redactChannel = (channel: NotifyChannelSpec): NotifyChannelSpec =>
  "slack" in channel
    ? { slack: redactUrl(channel.slack) }
    : "webhook" in channel
      ? { webhook: redactUrl(channel.webhook) }
      : channel;

function redactLists<T extends Partial<Record<string, NotifyChannelSpec[] | undefined>>>(spec: T): T {
  const copy: Partial<Record<string, NotifyChannelSpec[]>> = Object.create(null) as object;
  for (const [event, channels] of Object.entries(spec))
    if (channels) copy[event] = channels.map(redactChannel);
  return { ...copy } as T;
}

/** The definition as the API serves it: channel URLs (and the old `onFailure.url`) cut to their origin. */
export function withRedactedChannels(definition: DagDefinition): DagDefinition {
  return {
    ...definition,
    ...(definition.notify ? { notify: redactLists(definition.notify) } : {}),
    onFailure: definition.onFailure ? { url: redactUrl(definition.onFailure.url) } : null,
    tasks: definition.tasks.map((task) =>
      task.notify ? { ...task, notify: redactLists(task.notify) } : task,
    ),
  };
}
