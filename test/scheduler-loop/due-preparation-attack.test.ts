// Attacks on the due second prepared while idle (src/scheduler/due-preparation.ts): each scenario
// changes something between the preparation of 10:01 and 10:01 itself, and is run once as it ships
// and once with the prepared runs never taken. Both must leave the same state (in memory and on
// disk), history, executor starts and events.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { DuePreparation } from "../../src/scheduler/due-preparation.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { dag, dagSet, type Harness, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";
import { turns } from "../scheduler/support/prepared-store.ts";
import { finishOpenTries, recordRunEvents } from "./support/scenario-record.ts";

const { cleanup, harnesses } = useSchedulerLoop("2026-05-01T09:59:30.000Z");
afterEach(() => vi.restoreAllMocks());

const EVERY_MINUTE = { schedule: "* * * * *" };
const T1001 = "2026-05-01T10:01:00.000Z";
const SOURCE = { commit: null, snapshot: "/x", prefix: "" };

function baseDags(): DagDefinition[] {
  return [
    dag("plain", EVERY_MINUTE),
    dag("target", { ...EVERY_MINUTE, tasks: [pod("first"), pod("second", { dependsOn: ["first"] })] }),
    dag("forbid", { ...EVERY_MINUTE, concurrencyPolicy: "forbid" }),
    dag("replace", { ...EVERY_MINUTE, concurrencyPolicy: "replace" }),
    // Text the store must write as JSON.stringify does: U+2028, a lone surrogate, most of the placeholder.
    dag("odd_text", {
      ...EVERY_MINUTE,
      params: {
        line: { type: "string", default: "a\u2028b\u2029c" },
        lone: { type: "string", default: "x\ud800y" },
        near: { type: "string", default: "0001-01-01T00:00:00.000" },
      },
      tasks: [pod("only", { args: ["{{ conf.line }}", "{{ conf.lone }}"] })],
    }),
    // A conf over INLINE_CONF_BYTES: stored in a conf file, not inline (never prepared).
    dag("large_conf", {
      ...EVERY_MINUTE,
      params: { big: { type: "string", default: "x".repeat(4000) } },
    }),
    // Many tasks: a fan of 30 roots into one join.
    dag("wide", {
      ...EVERY_MINUTE,
      tasks: [
        ...Array.from({ length: 30 }, (_, i) => pod(`t${i}`)),
        pod("join", { dependsOn: Array.from({ length: 30 }, (_, i) => `t${i}`) }),
      ],
    }),
    // Manual only: its try fails and is retried 20 s later (a wake-up before 10:01).
    dag("flaky", { tasks: [pod("only", { retries: 1, retryDelay: "20s" })] }),
    // Its last interval is 10:01; in another time zone.
    dag("ending", { ...EVERY_MINUTE, endDate: "2026-05-01T12:01:00", timezone: "Europe/Paris" }),
  ];
}

interface Scenario {
  name: string;
  /** After 10:01 was prepared (at 09:59:59-ish), before 10:01. */
  between(h: Harness, writer: FailingStateWriter): Promise<void>;
  /** The due second's tick (default: the timer's, at 10:01). */
  due?(h: Harness, writer: FailingStateWriter): Promise<void>;
  /** Whether the 10:01 runs are to be left open (a DAG busy at 10:02, say). */
  keepOpen?: boolean;
}

/** Moves the clock to 10:01, the due second, firing the timer's tick there. */
async function toDue(h: Harness, late = 0): Promise<void> {
  await h.advance(Date.parse(T1001) - Date.now() + late);
}

/**
 * "before": the change comes at 10:00:29 (its own tick prepares 10:01 again); "at": at 10:01
 * itself, before the timer's tick, so the change's tick is the due one and what was prepared is
 * checked run by run.
 */
type When = "before" | "at";

async function run(scenario: Scenario, label: string, when: When) {
  for (const h of harnesses.splice(0)) await h.scheduler.stop();
  vi.setSystemTime(new Date("2026-05-01T09:59:30.000Z"));
  const stateDir = await cleanup.tempDir(`${scenario.name}-${label}`);
  const writer = new FailingStateWriter();
  const h = await schedulerHarness({ stateDir, dags: baseDags(), executorNotes: ["noted"], writer });
  harnesses.push(h);
  const events = recordRunEvents(h);
  const ended = new Set<string>();
  await h.start();
  await h.advance(30_000);
  await finishOpenTries(h, ended);
  await h.advance(29_000);
  // A tick once the 10:00 runs are archived (as a capped wake-up would): 10:01 is prepared for all.
  h.scheduler.wake();
  await h.settle();
  await turns(5);
  if (when === "at") vi.setSystemTime(new Date(T1001));
  await scenario.between(h, writer);
  await h.settle();
  await turns(5);
  if (scenario.due) await scenario.due(h, writer);
  else await toDue(h, when === "at" ? 1_000 : 0);
  if (!scenario.keepOpen) await finishOpenTries(h, ended);
  const sortedRuns = Object.entries(h.store.state.runs).sort(([a], [b]) => a.localeCompare(b));
  return {
    stateDir,
    state: sameNonces(JSON.stringify({ ...h.store.state, runs: Object.fromEntries(sortedRuns) })),
    history: sameNonces(JSON.stringify(h.store.recentRuns(1000).sort((a, b) => a.id.localeCompare(b.id)))),
    starts: h.executor.starts
      .map((launch) => sameNonces(JSON.stringify(launch).replaceAll(stateDir, "<state>")))
      .sort(),
    events: events.map(sameNonces).sort(),
  };
}

/** Manual runs and backfills get a random nonce in their ids: the same in both runs of a scenario. */
function sameNonces(text: string): string {
  return text.replace(/(__(?:manual|backfill)__\d{8}T\d{6}Z)_[0-9a-f]+/g, "$1_n");
}

async function compare(scenario: Scenario, when: When = "before"): Promise<string[]> {
  const take = vi.spyOn(DuePreparation.prototype, "take");
  const prepared = await run(scenario, "prepared", when);
  const taken = take.mock.results.flatMap((result) =>
    result.type === "return" ? (result.value as { created: Array<{ id: string }> }).created : [],
  );
  take.mockRestore();
  vi.spyOn(DuePreparation.prototype, "ready").mockReturnValue(false);
  const planned = await run(scenario, "planned", when);
  vi.restoreAllMocks();
  expect(prepared.starts).toEqual(planned.starts);
  expect(prepared.events).toEqual(planned.events);
  expect(prepared.history).toEqual(planned.history);
  expect(prepared.state).toEqual(planned.state);
  const reopened = await RunStore.open(prepared.stateDir);
  expect(JSON.parse(sameNonces(JSON.stringify(reopened.state)))).toEqual(JSON.parse(prepared.state));
  // A conf that goes to a file first is never made ahead (its text is not known before the write).
  expect(taken.filter((run) => run.id.startsWith("large_conf"))).toEqual([]);
  return taken.map((run) => run.id).filter((id) => id.includes("T1001"));
}

describe("the due second prepared while idle, attacked", () => {
  it.each<When>(["before", "at"])(
    "a manual trigger between the preparation and the due second (%s)",
    async (when) => {
      const taken = await compare(
        {
          name: "manual",
          between: async (h) => void (await h.scheduler.trigger("forbid", {})),
          keepOpen: true,
        },
        when,
      );
      expect(taken).not.toContain("forbid__scheduled__20260501T100100Z");
    },
  );

  it.each<When>(["before", "at"])(
    "a backfill started between the preparation and the due second (%s)",
    async (when) => {
      await compare(
        {
          name: "backfill",
          between: async (h) =>
            void (await h.scheduler.backfill("target", {
              from: "2026-05-01T09:00:00Z",
              to: "2026-05-01T09:03:00Z",
              conf: {},
              reverse: false,
              rerun: "missing",
            })),
          keepOpen: true,
        },
        when,
      );
    },
  );

  it.each<When>(["before", "at"])(
    "a clear of the archived 10:00 run (brought back into active state) (%s)",
    async (when) => {
      const taken = await compare(
        {
          name: "clear",
          between: async (h) =>
            void (await h.scheduler.clear("replace__scheduled__20260501T100000Z", "only")),
          keepOpen: true,
        },
        when,
      );
      expect(taken).not.toContain("replace__scheduled__20260501T100100Z");
    },
  );

  it.each<When>(["before", "at"])("a pause then an unpause (%s)", async (when) => {
    await compare(
      {
        name: "pause-unpause",
        between: async (h) => {
          await h.scheduler.setPaused("plain", true);
          await h.scheduler.setPaused("plain", false);
        },
      },
      when,
    );
  });

  it.each<When>(["before", "at"])(
    "a DAG removed and added again with the same definition (%s)",
    async (when) => {
      await compare(
        {
          name: "removed-readded",
          between: async (h) => {
            const all = baseDags();
            h.registry.apply(dagSet(...all.filter((d) => d.id !== "plain")), SOURCE);
            await h.settle();
            h.registry.apply(dagSet(...all), SOURCE);
          },
        },
        when,
      );
    },
  );

  it("a schedule changed so that the DAG is no longer due at 10:01", async () => {
    const taken = await compare({
      name: "schedule-moved",
      between: async (h) => {
        const all = baseDags().map((d) => (d.id === "plain" ? dag("plain", { schedule: "*/2 * * * *" }) : d));
        h.registry.apply(dagSet(...all), SOURCE);
      },
      due: async (h) => void (await toDue(h, 60_000)),
    });
    expect(taken).not.toContain("plain__scheduled__20260501T100100Z");
  });

  it.each<When>(["before", "at"])("the same definition loaded from another commit (%s)", async (when) => {
    await compare(
      {
        name: "commit",
        between: async (h) => void h.registry.apply(dagSet(...baseDags()), { ...SOURCE, commit: "abc" }),
      },
      when,
    );
  });

  it("the due tick late by a whole interval (the clock jumped)", async () => {
    const taken = await compare({
      name: "late",
      between: async () => undefined,
      due: async (h) => {
        // The timer's tick comes at 10:02:01 (a suspended VM, say).
        const timerAt = Date.parse(T1001) - Date.now();
        vi.setSystemTime(new Date(Date.parse(T1001) + 61_000 - timerAt));
        await h.advance(timerAt);
      },
    });
    // Only the DAG with no interval after 10:01 (its endDate): planning creates just that run too.
    expect(taken).toEqual(["ending__scheduled__20260501T100100Z"]);
  });

  it("the clock going back an hour before the due second", async () => {
    await compare({
      name: "back",
      between: async () => undefined,
      due: async (h) => {
        vi.setSystemTime(new Date(Date.parse(T1001) - 3_600_000));
        await h.advance(1_000);
        vi.setSystemTime(new Date(Date.parse(T1001) - 1_000));
        await toDue(h, 60_000);
      },
    });
  });

  it.each<When>(["before", "at"])(
    "stop and start again between the preparation and the due second (%s)",
    async (when) => {
      await compare(
        {
          name: "restart",
          between: async (h) => {
            await h.scheduler.stop();
            await h.scheduler.start();
          },
        },
        when,
      );
    },
  );

  it.each<When>(["before", "at"])(
    "stop and start again at once, the start not waiting for the stop (%s)",
    async (when) => {
      await compare(
        {
          name: "restart-racing",
          between: async (h) => void (await Promise.all([h.scheduler.stop(), h.scheduler.start()])),
        },
        when,
      );
    },
  );

  it.each<When>(["before", "at"])("stop while a tick waits on its write, then start (%s)", async (when) => {
    await compare(
      {
        name: "stop-mid-tick",
        between: async (h) => {
          // The trigger's write is in flight when the stop comes; the tick after it too.
          const triggered = h.scheduler.trigger("flaky", {});
          h.scheduler.wake();
          await turns(1);
          await h.scheduler.stop();
          await triggered;
          await h.scheduler.start();
        },
        keepOpen: true,
      },
      when,
    );
  });

  it("a run that ends after the whole pass, with no tick (the recheck passes again before 10:01)", async () => {
    const taken = await compare({
      name: "ended-no-tick",
      between: async (h) => {
        const run = await h.scheduler.trigger("flaky", {});
        await h.settle();
        await turns(5);
        // An executor event: the state changes, no tick prepares again (the recheck does).
        h.executor.finish({ dagId: "flaky", runId: run.id, taskId: "only", try: 1 });
      },
    });
    expect(taken).toContain("plain__scheduled__20260501T100100Z");
  });

  it("a write refused at the due second (disk full): the retry plans again, nothing prepared leaks", async () => {
    const taken = await compare({
      name: "refused",
      between: async () => undefined,
      due: async (h, writer) => {
        writer.fail("ENOSPC");
        await toDue(h);
        expect(h.store.writeError?.message).toContain("ENOSPC");
        expect(Object.keys(h.store.state.runs)).toEqual([]);
        writer.succeed();
        await h.advance(5_000);
      },
    });
    // Taken in the step the disk refused (rolled back); the retry planned them as the planned path did.
    expect(taken).toHaveLength(6);
  });

  it("a retry due before the due second (a wake-up between keeps what was prepared)", async () => {
    const taken = await compare({
      name: "retry-between",
      between: async (h) => {
        const run = await h.scheduler.trigger("flaky", {});
        await h.settle();
        h.executor.fail({ dagId: "flaky", runId: run.id, taskId: "only", try: 1 });
        await h.settle();
        // An API call's tick: the loop now wakes for the retry first.
        h.scheduler.wake();
      },
    });
    expect(taken).toContain("plain__scheduled__20260501T100100Z");
  });

  it("a stopped scheduler lets go of what it prepared (tens of MB at 10,000 DAGs while a standby waits)", async () => {
    const h = await schedulerHarness({ stateDir: await cleanup.tempDir("stop-lets-go"), dags: baseDags() });
    harnesses.push(h);
    // Weak references to each copy prepared (a spy would keep them in its calls).
    const copies: Array<WeakRef<object>> = [];
    const stateCopyOf = h.store.stateCopyOf.bind(h.store);
    h.store.stateCopyOf = (run) => {
      const copy = stateCopyOf(run);
      copies.push(new WeakRef(copy));
      return copy;
    };
    await h.start();
    await turns(5);
    expect(copies.length).toBeGreaterThan(0);
    await h.scheduler.stop();
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // A turn first: what an await chain still held is let go.
    await turns(2);
    gc();
    expect(copies.filter((copy) => copy.deref() !== undefined)).toHaveLength(0);
  });
});
