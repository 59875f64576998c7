// Attack on #16 point 3: under leader election replicas may share one state dir. A standby must
// not deliver the leader's pending messages (they would go out twice); it delivers only once it
// leads, like the scheduler.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readFlags } from "../../../src/config/flags.ts";
import { RUN_FLAGS } from "../../../src/config/run-flags.ts";
import { runConfigFrom } from "../../../src/config/run-config.ts";
import { followRuns } from "../../../src/daemon/run-event-subscribers.ts";
import { systemClock } from "../../../src/leader/clock.ts";
import { createDaemonEvents } from "../../../src/events/daemon-events.ts";
import { createPrometheusMetrics } from "../../../src/metrics/prometheus-metrics.ts";
import { createOutbox } from "../../../src/notify/outbox/outbox.ts";
import { SecretMask } from "../../../src/secrets/secret-mask.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { webhookReceiver } from "../../support/webhook-receiver.ts";
import { capturedLog, notification } from "../outbox/support/notifications.ts";

describe("the outbox under leader election", () => {
  const cleanup = useCleanup();

  it("a standby sharing the state dir delivers nothing; it delivers the pending messages once it leads", async () => {
    const stateDir = await cleanup.tempDir("state");
    const receiver = await webhookReceiver(cleanup);
    const { log } = capturedLog();
    // The leader queued a message in the shared state dir and has not sent it yet.
    const leaders = createOutbox({
      dir: path.join(stateDir, "outbox"),
      sender: { send: async () => {} },
      log,
    });
    await leaders.enqueue([{ type: "webhook", url: `${receiver.url}/hook` }], notification(1));

    const { values } = readFlags(["--state-dir", stateDir, "--dags", stateDir], {}, RUN_FLAGS);
    const plain = runConfigFrom(values, {});
    const config = { ...plain, leaderElection: { ...plain.leaderElection, enabled: true } };
    const events = createDaemonEvents();
    const standby = followRuns(events, {
      config,
      log,
      metrics: createPrometheusMetrics({ dags: () => ({ loaded: 0, importErrors: 0 }), pools: () => [] }),
      mask: new SecretMask(),
      scheduler: { definitionOf: () => undefined, logFile: () => "" },
      clock: systemClock,
      http: { url: () => "http://127.0.0.1:1" },
      sync: { authorEmail: async () => undefined },
      store: { recentRuns: () => [] },
    });
    cleanup.defer(() => standby.stop());
    await standby.start();
    // A standby has not even read the leader's messages in: nothing of it is its to send.
    expect(standby.outbox.pendingCount()).toBe(0);
    expect(receiver.received).toEqual([]);

    events.emit("leadership:changed", { enabled: true, isLeader: true, identity: "b", holder: "b" });
    await waitFor(
      "the message delivered by the new leader",
      () => receiver.received.length >= 1 || undefined,
    );
    expect(receiver.received.map((post) => (post.body as { id: string }).id)).toEqual([notification(1).id]);
  });
});
