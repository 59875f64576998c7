import type { ChannelSender, Delivery } from "../../../../src/notify/notification.ts";

/** A channel sender that records every delivery and answers as `answer` says (default: acknowledged). */
export class FakeSender implements ChannelSender {
  readonly calls: Delivery[] = [];
  answer: (delivery: Delivery) => Promise<void> = async () => undefined;

  send(delivery: Delivery): Promise<void> {
    this.calls.push(structuredClone(delivery));
    return this.answer(delivery);
  }

  /** Notification ids per delivery to channels whose key contains `part`, in the order sent. */
  sentTo(part: string): string[][] {
    return this.calls
      .filter((d) => (d.channel.type === "email" ? d.channel.to.join(",") : d.channel.url).includes(part))
      .map((d) => d.notifications.map((n) => n.id));
  }
}
