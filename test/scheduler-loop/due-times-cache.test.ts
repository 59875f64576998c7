// The loop remembers each DAG's next due time (due-times.ts): a sync that changes the schedule,
// or removes the DAG and brings it back, must not leave the loop waiting for the old time.
import { describe, expect, it } from "vitest";
import { scheduledRunId } from "../../src/scheduler/run-planner.ts";
import { dag, dagSet, type Harness, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";

/** Half a minute past 10:00: an hourly DAG is next due at 11:00, an every-minute one at 10:01. */
const T0 = "2026-05-01T10:00:30.000Z";
const source = { commit: null, snapshot: "/x", prefix: "" };

const loop = useSchedulerLoop(T0, { stateDir: "due-times-cache" });

async function started(...dags: Parameters<typeof dagSet>): Promise<Harness> {
  const harness = await schedulerHarness({ stateDir: loop.stateDir, dags });
  loop.harnesses.push(harness);
  await harness.start();
  return harness;
}

const runIds = (h: Harness, dagId: string) => h.runsOf(dagId).map((run) => run.id);

describe("a remembered due time", () => {
  it("gives way to the new schedule a sync brings", async () => {
    const h = await started(dag("synced", { schedule: "0 * * * *" }));
    await h.advance(1000);
    h.registry.apply(dagSet(dag("synced", { schedule: "* * * * *" })), source);
    await h.advance(29_000);
    expect(runIds(h, "synced")).toEqual([scheduledRunId("synced", new Date("2026-05-01T10:01:00Z"))]);
  });

  it("gives way to a new time zone a sync brings", async () => {
    // Due at 12:00Z before; 12:01 in Berlin (CEST) is 10:01Z, today.
    const h = await started(dag("zoned", { schedule: "0 12 * * *" }));
    await h.advance(1000);
    h.registry.apply(dagSet(dag("zoned", { schedule: "1 12 * * *", timezone: "Europe/Berlin" })), source);
    await h.advance(60_000);
    expect(runIds(h, "zoned")).toEqual([scheduledRunId("zoned", new Date("2026-05-01T10:01:00Z"))]);
  });

  it("does not outlive a DAG a sync removes: one of the same id brought back runs on its own schedule", async () => {
    const h = await started(dag("back", { schedule: "0 * * * *" }), dag("other", { schedule: null }));
    await h.advance(1000);
    h.registry.apply(dagSet(dag("other", { schedule: null })), source);
    await h.advance(1000);
    h.registry.apply(
      dagSet(dag("back", { schedule: "* * * * *" }), dag("other", { schedule: null })),
      source,
    );
    await h.advance(28_000);
    expect(runIds(h, "back")).toEqual([scheduledRunId("back", new Date("2026-05-01T10:01:00Z"))]);
  });
});
