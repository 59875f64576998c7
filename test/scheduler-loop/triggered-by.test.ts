// Issue 13 point 7: "by alice@example.com" on manual runs, kept through the state files.
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { OPEN_PAGE_ACCESS } from "../../src/server/auth/page-access.ts";
import { runPage } from "../../src/server/page/run-page.ts";
import { runTable } from "../../src/server/page/run-rows.ts";
import { runSummary, runView } from "../../src/server/views/run-view.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";
import { activeStateOnDisk } from "../support/active-state-on-disk.ts";

const loop = useSchedulerLoop("2026-05-01T10:00:00.000Z", { stateDir: "triggered-by" });
const ALICE = "alice@example.com";

async function started() {
  const h = await schedulerHarness({
    stateDir: loop.stateDir,
    dags: [dag("manual", { schedule: null, tasks: [pod("only")] })],
  });
  loop.harnesses.push(h);
  await h.start();
  return h;
}

/** The run as a store opened afresh on the same state dir reads it. */
async function reloaded(runId: string): Promise<Run> {
  const store = await RunStore.open(loop.stateDir);
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} is not in the reloaded store`);
  return run;
}

const page = (run: Run) =>
  runPage(run, { now: new Date(), version: "0.0.0-test", access: OPEN_PAGE_ACCESS })
    .toString()
    .replace(/\s+/g, " ");
const rows = (run: Run) => runTable([run], new Date(), { showDag: true }).toString().replace(/\s+/g, " ");

describe("who triggered a manual run", () => {
  it("is kept from the trigger through state.json and the run history to the API view and the pages", async () => {
    const h = await started();
    const byAlice = await h.scheduler.trigger("manual", { n: 1 }, { by: ALICE });
    expect(byAlice.triggeredBy).toBe(ALICE);

    const stateJson = await activeStateOnDisk<{ runs: Record<string, Run> }>(loop.stateDir);
    expect(stateJson.runs[byAlice.id]?.triggeredBy).toBe(ALICE);
    const active = await reloaded(byAlice.id);
    expect(active.triggeredBy).toBe(ALICE);
    expect(runView(active)).toMatchObject({ trigger: "manual", triggeredBy: ALICE });
    expect(runSummary(active)).toMatchObject({ trigger: "manual", triggeredBy: ALICE });
    expect(page(active)).toContain(`<dt>Trigger</dt> <dd>manual · by ${ALICE}</dd>`);
    expect(rows(active)).toContain(`<td>manual · by ${ALICE}</td>`);

    // Finished, the run moves to runs/manual.json: still by Alice.
    await h.settle();
    h.executor.finish({ dagId: "manual", runId: byAlice.id, taskId: "only", try: 1 });
    await h.settle();
    expect(h.run(byAlice.id).state).toBe("success");
    const archived = await reloaded(byAlice.id);
    expect(archived.state).toBe("success");
    expect(archived.triggeredBy).toBe(ALICE);
    expect(runView(archived).triggeredBy).toBe(ALICE);
  });

  it("adds nothing to a run triggered without a name", async () => {
    const h = await started();
    const anonymous = await h.scheduler.trigger("manual", {});
    const run = await reloaded(anonymous.id);
    expect(run).not.toHaveProperty("triggeredBy");
    expect(runView(run)).not.toHaveProperty("triggeredBy");
    expect(runSummary(run)).not.toHaveProperty("triggeredBy");
    expect(page(run)).toContain("<dt>Trigger</dt> <dd>manual</dd>");
    expect(rows(run)).toContain("<td>manual</td>");
    expect(page(run)).not.toContain(" · by ");
  });
});
