// The rule the lag work keeps: a run is durably recorded, its try queued, before the executor is
// asked to start that try (a crash after the start call restarts the same try, never a second one).
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TaskLaunch } from "../../src/executor/executor.ts";
import type { ActiveState } from "../../src/runs/active-state.ts";
import { durableStateWriter, type StateWriter } from "../../src/store/durable-write.ts";
import { dag, schedulerHarness } from "../scheduler-loop/harness.ts";
import { useSchedulerLoop } from "../scheduler-loop/loop-fixture.ts";

const { cleanup, harnesses } = useSchedulerLoop("2026-05-01T10:00:30.000Z");

/** The real writer; keeps the last state.json text whose write has completed (is durable). */
class DurableStateText implements StateWriter {
  durable: ActiveState | undefined;
  async write(file: string, text: string): Promise<void> {
    await durableStateWriter.write(file, text);
    if (path.basename(file) === "state.json") this.durable = JSON.parse(text) as ActiveState;
  }
}

describe("a due tick", () => {
  it("starts each try only once the run holding it queued is in a completed state write", async () => {
    const writer = new DurableStateText();
    const dags = ["a", "b", "c", "d", "e"].map((id) => dag(id, { schedule: "* * * * *" }));
    const h = await schedulerHarness({ stateDir: await cleanup.tempDir("due-after-write"), dags, writer });
    harnesses.push(h);
    const seen: string[] = [];
    const start = h.executor.start.bind(h.executor);
    h.executor.start = async (launch: TaskLaunch) => {
      const stored = writer.durable?.runs[launch.runId];
      const instance = stored?.tasks.find((task) => task.id === launch.taskId);
      seen.push(
        `${launch.runId}/${launch.taskId}: ${instance ? `${instance.state} try ${instance.try}` : "not written"}`,
      );
      await start(launch);
    };
    await h.start();
    await h.advance(30_000);
    expect(seen.sort()).toEqual(
      ["a", "b", "c", "d", "e"].map((id) => `${id}__scheduled__20260501T100100Z/only: queued try 1`),
    );
  });
});
