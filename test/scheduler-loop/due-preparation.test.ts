// The due second prepared while the loop is idle (src/scheduler/due-preparation.ts) must change
// nothing but the time it takes: the same scheduler scenario, run once as it ships and once with the
// prepared runs never taken, gives the same state (in memory and on disk), the same executor starts
// and the same events, including for DAGs changed between the preparation and the due second.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { DuePreparation } from "../../src/scheduler/due-preparation.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag, dagSet, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";
import { turns } from "../scheduler/support/prepared-store.ts";
import { finishOpenTries, recordRunEvents } from "./support/scenario-record.ts";

const { cleanup, harnesses } = useSchedulerLoop("2026-05-01T09:59:30.000Z");
afterEach(() => vi.restoreAllMocks());

const EVERY_MINUTE = { schedule: "* * * * *" };

function scenarioDags(): DagDefinition[] {
  return [
    dag("plain", EVERY_MINUTE),
    dag("templated", {
      ...EVERY_MINUTE,
      tasks: [pod("only", { args: ["{{ run_id }}", "{{ ts }}"], env: { RUN: "{{ run_id }}" } })],
    }),
    dag("chain", { ...EVERY_MINUTE, tasks: [pod("first"), pod("second", { dependsOn: ["first"] })] }),
    dag("two_roots", { ...EVERY_MINUTE, tasks: [pod("left"), pod("right")] }),
    // Paused between the preparation and the due second.
    dag("paused_later", EVERY_MINUTE),
    dag("paused_at_due", EVERY_MINUTE),
    // Its 10:00 run never ends: at 10:01 it has a run active, and room for one only.
    dag("busy", { ...EVERY_MINUTE, maxActiveRuns: 1 }),
    // Its conf holds the placeholder's text: never prepared, planned as before.
    dag("placeholder_conf", {
      ...EVERY_MINUTE,
      params: { mark: { type: "string", default: "0001-01-01T00:00:00.000Z" } },
    }),
    // Loaded again with another command between the preparation and the due second.
    dag("reloaded", EVERY_MINUTE),
    // Caught up to 09:59 at the start; then one interval due at a time.
    dag("catchup", { ...EVERY_MINUTE, catchup: true, startDate: "2026-05-01T09:58:00Z" }),
  ];
}

/** What a scenario leaves behind, in an order that does not depend on which path created what. */
interface Outcome {
  state: string;
  history: string;
  starts: string[];
  events: string[];
}

async function runScenario(name: string): Promise<{ outcome: Outcome; stateDir: string }> {
  // Each scenario from the same instant, alone.
  for (const h of harnesses.splice(0)) await h.scheduler.stop();
  vi.setSystemTime(new Date("2026-05-01T09:59:30.000Z"));
  const stateDir = await cleanup.tempDir(name);
  const h = await schedulerHarness({ stateDir, dags: scenarioDags(), executorNotes: ["noted on every run"] });
  harnesses.push(h);
  const events = recordRunEvents(h);
  const ended = new Set<string>();
  await h.start();
  await turns(5);
  // 10:00: the first runs of every DAG.
  await h.advance(30_000);
  await finishOpenTries(h, ended, (dagId) => dagId === "busy");
  await h.advance(29_000);
  await turns(5);
  // After 10:01 was prepared: a DAG paused (the tick that follows prepares again, without it), and
  // one loaded again with another command (prepared again, with it).
  await h.scheduler.setPaused("paused_later", true);
  const reloaded = scenarioDags().map((definition) =>
    definition.id === "reloaded"
      ? dag("reloaded", { ...EVERY_MINUTE, tasks: [pod("only", { command: ["echo", "again"] })] })
      : definition,
  );
  h.registry.apply(dagSet(...reloaded), { commit: null, snapshot: "/x", prefix: "" });
  await h.settle();
  await turns(5);
  // At 10:01 itself, before the timer's tick: a pause, whose tick is the due one. What was prepared
  // is checked run by run then (the state was written since).
  vi.setSystemTime(new Date("2026-05-01T10:01:00.000Z"));
  await h.scheduler.setPaused("paused_at_due", true);
  await h.settle();
  await finishOpenTries(h, ended, (dagId) => dagId === "busy");
  const sortedRuns = Object.entries(h.store.state.runs).sort(([a], [b]) => a.localeCompare(b));
  return {
    stateDir,
    outcome: {
      state: JSON.stringify({ ...h.store.state, runs: Object.fromEntries(sortedRuns) }),
      history: JSON.stringify(h.store.recentRuns(1000).sort((a, b) => a.id.localeCompare(b.id))),
      starts: h.executor.starts
        .map((launch) => JSON.stringify(launch).replaceAll(stateDir, "<state>"))
        .sort(),
      events: events.sort(),
    },
  };
}

describe("the due second prepared while idle", () => {
  it("creates, stores and starts exactly what planning at the due second does", async () => {
    const take = vi.spyOn(DuePreparation.prototype, "take");
    const prepared = await runScenario("prepared");
    const taken = take.mock.results.flatMap((result) =>
      result.type === "return" ? (result.value as { created: Array<{ id: string }> }).created : [],
    );
    take.mockRestore();
    // The prepared path was taken at both due seconds, and only for the DAGs it may serve.
    expect(taken.map((run) => run.id).sort()).toEqual(
      [
        "chain__scheduled__20260501T100000Z",
        "chain__scheduled__20260501T100100Z",
        "plain__scheduled__20260501T100000Z",
        "plain__scheduled__20260501T100100Z",
        "templated__scheduled__20260501T100000Z",
        "templated__scheduled__20260501T100100Z",
        "two_roots__scheduled__20260501T100000Z",
        "two_roots__scheduled__20260501T100100Z",
        "busy__scheduled__20260501T100000Z",
        "paused_later__scheduled__20260501T100000Z",
        "reloaded__scheduled__20260501T100000Z",
        "reloaded__scheduled__20260501T100100Z",
        "paused_at_due__scheduled__20260501T100000Z",
        "catchup__scheduled__20260501T100100Z",
      ].sort(),
    );

    vi.spyOn(DuePreparation.prototype, "ready").mockReturnValue(false);
    const planned = await runScenario("planned");
    expect(prepared.outcome.starts).toEqual(planned.outcome.starts);
    expect(prepared.outcome.events).toEqual(planned.outcome.events);
    expect(prepared.outcome.history).toEqual(planned.outcome.history);
    expect(prepared.outcome.state).toEqual(planned.outcome.state);

    // What the prepared path appended reads back as the state it held.
    const reopened = await RunStore.open(prepared.stateDir);
    expect(JSON.parse(JSON.stringify(reopened.state))).toEqual(JSON.parse(prepared.outcome.state));
  });
});
