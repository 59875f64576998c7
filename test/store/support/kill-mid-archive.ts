// Run as a child by kill-mid-archive.test.ts: adds runs of three DAGs (each add acknowledged), then
// archives them all at once and kills itself with SIGKILL at the write named by argv[2]: `history-2`
// (the first DAG's history is written, the second's not), `state` (every history written, state.json
// not), or `group` (in the middle of a group commit of further runs, after the archive).
import path from "node:path";
import type { Run } from "../../../src/runs/run-model.ts";
import { newRun } from "../../../src/scheduler/run-planner.ts";
import { durableStateWriter } from "../../../src/store/durable-write.ts";
import { RunStore } from "../../../src/store/run-store.ts";
import { dag, pod } from "../../scheduler-loop/harness.ts";

const [at = "state", stateDir = ""] = process.argv.slice(2);

const run = (dagId: string, id: string, day: number): Run => {
  const when = new Date(Date.UTC(2026, 2, day));
  return newRun(dag(dagId, { tasks: [pod("only")] }), {
    id,
    trigger: "manual",
    logicalDate: when,
    conf: {},
    commit: null,
    snapshot: "/snapshots/a",
    now: when,
  });
};

let historyWrites = 0;
let armed = false;
const store = await RunStore.open(stateDir, {
  writer: {
    async write(file, text) {
      if (armed) {
        const name = path.basename(file);
        if (name !== "state.json") historyWrites++;
        const kill =
          (at === "history-2" && historyWrites === 2) || (at !== "history-2" && name === "state.json");
        if (kill) process.kill(process.pid, "SIGKILL");
      }
      await durableStateWriter.write(file, text);
    },
  },
});
const runs = ["a", "b", "c"].flatMap((dagId) => [1, 2].map((day) => run(dagId, `${dagId}${day}`, day)));
await Promise.all(runs.map((r) => store.update((state) => store.addRun(state, r))));
// Finished: as the scheduler hands them to archiveAll.
await store.update((state) => {
  for (const r of runs) {
    const active = state.runs[r.id];
    if (active) Object.assign(active, { state: "success", endedAt: new Date().toISOString() });
  }
});
process.stdout.write("acknowledged\n");
if (at === "group") {
  await store.archiveAll(runs.map((r) => store.getRun(r.id) as Run));
  process.stdout.write("archived\n");
  armed = true;
  await Promise.all(["d1", "d2"].map((id) => store.update((state) => store.addRun(state, run("d", id, 3)))));
} else {
  armed = true;
  await store.archiveAll(runs.map((r) => store.getRun(r.id) as Run));
}
process.stdout.write("not killed\n");
