import type { Logger } from "../../log/logger.ts";
import type {
  Channel,
  ChannelSender,
  Notification,
  NotificationSink,
  OutboxView,
  UndeliverableMessage,
} from "../notification.ts";

export interface OutboxOptions {
  /** `<state-dir>/outbox`: created if missing. */
  dir: string;
  sender: ChannelSender;
  log: Logger;
  now?: () => Date;
}

/** The persisted queue of messages: see docs/notifications.md. */
export interface Outbox extends NotificationSink, OutboxView {
  /** Loads what is pending (after a restart) and starts delivering. */
  start(): Promise<void>;
  /** Stops delivering; deliveries under way are abandoned, to be sent again after the next start. */
  stop(): Promise<void>;
}

/**
 * SCAFFOLD, replaced by the outbox helper: sends at once, in memory, no retry, no persistence.
 * Only here so the routing and channels can be built against the final interface.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const dead: UndeliverableMessage[] = [];
  let running = false;
  return {
    async start() {
      running = true;
    },
    async stop() {
      running = false;
    },
    async enqueue(channels: readonly Channel[], notification: Notification) {
      if (!running) return;
      for (const channel of channels) {
        options.sender
          .send({ id: notification.id, channel, notifications: [notification] })
          .catch((error: unknown) =>
            options.log.warn({ error: (error as Error).message }, "notification not delivered"),
          );
      }
    },
    pendingCount: () => 0,
    undeliverable: () => [...dead],
  };
}
