// Runs that finish in the same step are archived together: one write of each DAG's history file.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { durableStateWriter, type StateWriter } from "../../src/store/durable-write.ts";
import { dag, pod, schedulerHarness } from "../scheduler-loop/harness.ts";
import { useSchedulerLoop } from "../scheduler-loop/loop-fixture.ts";

const { cleanup, harnesses } = useSchedulerLoop("2026-05-01T10:00:00.000Z");

/** The real writer, recording which files it wrote. */
class RecordingWriter implements StateWriter {
  readonly files: string[] = [];
  async write(file: string, text: string): Promise<void> {
    this.files.push(path.basename(file));
    await durableStateWriter.write(file, text);
  }
}

describe("archiving the runs a step finished", () => {
  it("writes each DAG's history once for all its runs that ended together, and takes them all out of active state", async () => {
    const writer = new RecordingWriter();
    const h = await schedulerHarness({
      stateDir: await cleanup.tempDir("batched-archive"),
      dags: [
        dag("alpha", { schedule: null, tasks: [pod("only")] }),
        dag("beta", { schedule: null, tasks: [pod("only")] }),
      ],
      writer,
    });
    harnesses.push(h);
    await h.start();
    const runs = [
      await h.scheduler.trigger("alpha", {}),
      await h.scheduler.trigger("alpha", {}),
      await h.scheduler.trigger("alpha", {}),
      await h.scheduler.trigger("beta", {}),
      await h.scheduler.trigger("beta", {}),
    ];
    await h.settle();
    expect(h.executor.startedKeys()).toHaveLength(5);

    writer.files.length = 0;
    for (const key of h.executor.startedKeys()) h.executor.finish(key);
    await h.settle();
    expect(runs.map((run) => h.run(run.id).state)).toEqual(Array(5).fill("success"));
    expect(h.store.activeRuns()).toEqual([]);
    expect(writer.files.filter((file) => file !== "state.json").sort()).toEqual(["alpha.json", "beta.json"]);
    // Same logical date (the clock stood still): compared as sets.
    const ids = (list: Array<{ id: string }>) => list.map((run) => run.id).sort();
    expect(ids(h.runsOf("alpha"))).toEqual(ids(runs.slice(0, 3)));
  });
});
