import { type Outbox, type OutboxOptions, createOutbox } from "../../../../src/notify/outbox/outbox.ts";
import type { OutboxEvent } from "../../../../src/notify/outbox/delivery-loop.ts";
import type { Cleanup } from "../../../support/cleanup.ts";
import { FakeSender } from "./fake-sender.ts";
import { ManualClock } from "./manual-clock.ts";
import { capturedLog } from "./notifications.ts";

export interface OutboxFixture {
  outbox: Outbox;
  dir: string;
  sender: FakeSender;
  clock: ManualClock;
  events: OutboxEvent[];
  lines: string[];
  /** Another outbox over the same folder (a restart), sharing sender and clock. */
  reopen(over?: Partial<OutboxOptions>): Outbox;
}

/** An outbox over a fresh temp folder with a fake sender and a manual clock; stopped on cleanup. */
export async function outboxFixture(
  cleanup: Cleanup,
  over: Partial<OutboxOptions> = {},
): Promise<OutboxFixture> {
  const dir = await cleanup.tempDir("outbox");
  const sender = new FakeSender();
  const clock = new ManualClock();
  const events: OutboxEvent[] = [];
  const { log, lines } = capturedLog();
  const open = (more: Partial<OutboxOptions> = {}) => {
    const outbox = createOutbox({
      dir,
      sender,
      log,
      clock,
      random: () => 0.5,
      onEvent: (event) => events.push(event),
      ...over,
      ...more,
    });
    cleanup.defer(() => outbox.stop());
    return outbox;
  };
  return { outbox: open(), dir, sender, clock, events, lines, reopen: open };
}
