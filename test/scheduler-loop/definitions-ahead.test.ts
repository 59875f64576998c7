// Issue 17 (lag): scheduling writes the loaded DAGs' definitions ahead of their runs, so the write of
// a due step holds its runs only; a DAG set change keeps the new definitions and lets the old go.
import { describe, expect, it } from "vitest";
import { definitionKeyOf } from "../../src/runs/run-model.ts";
import { dag, dagSet, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";
import { recordingWriter } from "../support/recording-writer.ts";
import { waitFor } from "../support/wait-for.ts";

const loop = useSchedulerLoop("2026-05-01T10:00:30.000Z", { stateDir: "definitions-ahead" });

describe("definitions written ahead", () => {
  it("are in state once scheduling starts; the due step's write holds only runs and DAG states", async () => {
    const writer = recordingWriter();
    const { appended } = writer;
    const hourly = dag("hourly", { schedule: "* * * * *", tasks: [pod("only")] });
    const h = await schedulerHarness({
      stateDir: loop.stateDir,
      dags: [hourly],
      writer,
    });
    loop.harnesses.push(h);
    await h.start();
    await h.settle();
    const key = definitionKeyOf(h.registry.get("hourly")?.definition ?? hourly);
    expect(Object.keys(h.store.state.definitions)).toEqual([key]);
    expect(h.store.state.runs).toEqual({});
    appended.length = 0;
    await h.advance(30_000);
    expect(h.runsOf("hourly")).toHaveLength(1);
    expect(appended.length).toBeGreaterThan(0);
    for (const line of appended) expect(line).not.toContain('["definitions"');

    // The DAG changes: its new definition is kept, the old one goes once no run uses it.
    const changed = dag("hourly", { schedule: "* * * * *", tasks: [pod("only"), pod("more")] });
    h.registry.apply(dagSet(changed), { commit: null, snapshot: "/x", prefix: "" });
    await h.settle();
    const changedKey = definitionKeyOf(h.registry.get("hourly")?.definition ?? changed);
    expect(Object.keys(h.store.state.definitions)).toContain(changedKey);

    // Removed from the repository: its definition goes, as no run uses it.
    h.registry.apply(dagSet(), { commit: null, snapshot: "/x", prefix: "" });
    await h.settle();
    expect(Object.keys(h.store.state.definitions)).not.toContain(changedKey);
  });
  it("writes many at start a chunk at a time, all of them", async () => {
    const writer = recordingWriter();
    const { appended } = writer;
    const many = Array.from({ length: 1201 }, (_, i) =>
      dag(`d${i}`, { schedule: null, tasks: [pod("only")] }),
    );
    const h = await schedulerHarness({
      stateDir: loop.stateDir,
      dags: many,
      writer,
    });
    loop.harnesses.push(h);
    await h.start();
    await h.settle();
    await waitFor("every definition kept", () =>
      Object.keys(h.store.state.definitions).length === 1201 ? true : undefined,
    );
    const perLine = appended.map((line) => line.split('["definitions",').length - 1).filter((n) => n > 0);
    expect(perLine.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...perLine)).toBeLessThanOrEqual(500);
  });
});
