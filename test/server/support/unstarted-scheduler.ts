import path from "node:path";
import type { DagRegistry } from "../../../src/dags/dag-registry.ts";
import { createDaemonEvents } from "../../../src/events/daemon-events.ts";
import { Heartbeat } from "../../../src/health/heartbeat.ts";
import { createLogger } from "../../../src/log/logger.ts";
import { Scheduler } from "../../../src/scheduler/scheduler.ts";
import type { RunStore } from "../../../src/store/run-store.ts";
import { FakeExecutor } from "../../scheduler-loop/harness.ts";

/** A Scheduler over real parts that is never started: the app answers reads through it. */
export function unstartedScheduler(store: RunStore, registry: DagRegistry, stateDir: string): Scheduler {
  return new Scheduler({
    store,
    registry,
    executor: new FakeExecutor(),
    logsDir: path.join(stateDir, "logs"),
    log: createLogger({ secrets: [], level: "silent" }),
    heartbeat: new Heartbeat("the scheduler loop", 30_000),
    events: createDaemonEvents(),
  });
}
