import type { ChannelSender, Delivery } from "../notification.ts";
import type { OutboxClock } from "./outbox-clock.ts";

/** The sender's answer, or a failed try once `timeoutMs` passed without one (the send is abandoned, not cancelled). */
export function sendWithTimeout(
  sender: ChannelSender,
  delivery: Delivery,
  clock: OutboxClock,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = clock.setTimer(
      () => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`)),
      timeoutMs,
    );
    Promise.resolve()
      .then(() => sender.send(delivery))
      .then(resolve, reject)
      .finally(() => timer.cancel());
  });
}
