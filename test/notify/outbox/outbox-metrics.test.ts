// Issue 16 point 3: outbox size and delivery results reach /metrics.
import { describe, expect, it } from "vitest";
import { createPrometheusMetrics } from "../../../src/metrics/prometheus-metrics.ts";
import { DeliveryError } from "../../../src/notify/notification.ts";
import { parseScrape } from "../../metrics/scrape.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { outboxFixture } from "./support/outbox-fixture.ts";
import { hook, notification } from "./support/notifications.ts";

const cleanup = useCleanup();

describe("outbox metrics", () => {
  it("report pending and undeliverable messages, each try's result by channel type, and refusals", async () => {
    const metrics = createPrometheusMetrics({ dags: () => ({ loaded: 0, importErrors: 0 }) });
    const f = await outboxFixture(cleanup, { metrics, maxPending: 3, burstLimit: 100 });
    const scrape = async () => parseScrape(await metrics.text());
    const initial = await scrape();
    expect(initial.types.get("updraft_outbox_pending_messages")).toBe("gauge");
    expect(initial.types.get("updraft_outbox_undeliverable_messages")).toBe("gauge");
    expect(initial.types.get("updraft_notification_deliveries_total")).toBe("counter");
    expect(initial.types.get("updraft_notifications_dropped_total")).toBe("counter");
    expect(
      initial.value("updraft_notification_deliveries_total", { channel: "email", result: "failed" }),
    ).toBe(0);

    const email = { type: "email" as const, to: ["ops@example.com"] };
    for (let n = 1; n <= 4; n++) await f.outbox.enqueue([n === 1 ? email : hook("a")], notification(n));
    let now = await scrape();
    expect(now.value("updraft_outbox_pending_messages")).toBe(3);
    expect(now.value("updraft_notifications_dropped_total")).toBe(1);

    const answers = [new Error("ETIMEDOUT"), undefined, new DeliveryError("HTTP 400", false)];
    f.sender.answer = async (delivery) => {
      if (delivery.channel.type === "email") return;
      const answer = answers.shift();
      if (answer) throw answer;
    };
    await f.outbox.start();
    await waitFor("a retry due and the email sent", () =>
      f.events.some((e) => e.type === "retry") && f.events.some((e) => e.type === "delivered")
        ? true
        : undefined,
    );
    expect(f.clock.nextTimerIn()).toBe(10_000);
    f.clock.advance(10_000);
    await waitFor("all done", () => (f.outbox.pendingCount() === 0 ? true : undefined));
    now = await scrape();
    expect(now.value("updraft_outbox_pending_messages")).toBe(0);
    expect(now.value("updraft_outbox_undeliverable_messages")).toBe(1);
    const deliveries = (channel: string, result: string) =>
      now.value("updraft_notification_deliveries_total", { channel, result });
    expect(deliveries("email", "delivered")).toBe(1);
    expect(deliveries("webhook", "failed")).toBe(1);
    expect(deliveries("webhook", "delivered")).toBe(1);
    expect(deliveries("webhook", "undeliverable")).toBe(1);
    expect(deliveries("slack", "delivered")).toBe(0);
  });
});
