import path from "node:path";
import type { DagRegistry } from "../../../src/dags/dag-registry.ts";
import { createDaemonEvents } from "../../../src/events/daemon-events.ts";
import { Heartbeat } from "../../../src/health/heartbeat.ts";
import { createLogger } from "../../../src/log/logger.ts";
import { Scheduler } from "../../../src/scheduler/scheduler.ts";
import type { SecretMask } from "../../../src/secrets/secret-mask.ts";
import { createApp, type UpdraftApp } from "../../../src/server/app.ts";
import type { RunStore } from "../../../src/store/run-store.ts";
import { FakeExecutor } from "../../scheduler-loop/harness.ts";
import { fakeSource } from "../page-fixture.ts";

/**
 * The daemon's app over a real RunStore and DagRegistry, with a Scheduler that is never started
 * (the app answers reads through it), open on loopback without a token.
 */
export function storeApp(parts: {
  store: RunStore;
  registry: DagRegistry;
  stateDir: string;
  mask: SecretMask;
}): UpdraftApp {
  const { store, registry, stateDir, mask } = parts;
  return createApp({
    registry,
    source: fakeSource(),
    scheduler: new Scheduler({
      store,
      registry,
      executor: new FakeExecutor(),
      logsDir: path.join(stateDir, "logs"),
      log: createLogger({ secrets: [], level: "silent" }),
      heartbeat: new Heartbeat("the scheduler loop", 30_000),
      events: createDaemonEvents(),
    }),
    store,
    syncHistory: () => [],
    health: () => ({ ok: true, checks: {} }),
    auth: { apiToken: undefined, listensOnLoopback: true },
    webhookSecret: undefined,
    followedBranch: () => "main",
    version: "0.0.0-test",
    mask,
  });
}
