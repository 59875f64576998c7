// Run by outbox-kill.test.ts as a real process: an outbox over <dir> whose sender POSTs each delivery
// to <url>/hook/<channel>; enqueues <count> notifications over <channels> webhook channels, prints
// `enqueued <n>` once all are on disk and `delivered <id>` once a delivery is acknowledged and
// removed, until it is killed.
import { createLogger } from "../../../../src/log/logger.ts";
import { DeliveryError } from "../../../../src/notify/notification.ts";
import { createOutbox } from "../../../../src/notify/outbox/outbox.ts";
import { notification } from "./notifications.ts";

const [dir, url, count = "0", channels = "5"] = process.argv.slice(2);
if (!dir || !url) throw new Error("usage: outbox-child.ts <dir> <url> [count] [channels]");

const outbox = createOutbox({
  dir,
  log: createLogger({ secrets: [], destination: process.stderr }),
  burstLimit: 1000,
  sender: {
    async send(delivery) {
      if (delivery.channel.type === "email") throw new DeliveryError("no email here", false);
      const response = await fetch(delivery.channel.url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": delivery.id },
        body: JSON.stringify({ id: delivery.id, notifications: delivery.notifications.map((n) => n.id) }),
      });
      if (!response.ok) throw new DeliveryError(`HTTP ${response.status}`, true);
    },
  },
  onEvent(event) {
    if (event.type === "delivered") process.stdout.write(`delivered ${event.id}\n`);
  },
});

await outbox.start();
for (let n = 0; n < Number(count); n++)
  await outbox.enqueue([{ type: "webhook", url: `${url}/hook/${n % Number(channels)}` }], notification(n));
process.stdout.write(`enqueued ${count}\n`);
