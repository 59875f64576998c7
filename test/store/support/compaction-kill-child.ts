// Run as a child by journal-kill.test.ts: sets a counter (with a 64 KiB note, so the journal soon
// outgrows its bound and is compacted), printing each value once its update is acknowledged, and
// kills itself with SIGKILL at the step named by argv[3] (any other name: never), after argv[4]
// values at most (default 200):
//   before-snapshot, after-snapshot   around the compaction's write of state.json
//   after-journal-start               once the compaction's new journal is written
//   torn-after-compaction             half-way through the first append after the compaction
//   conf-before-append, conf-after-append  around the append of a group adding a run with a large conf
import { appendDurably, durableStateWriter } from "../../../src/store/durable-write.ts";
import { RunStore } from "../../../src/store/run-store.ts";
import { oneTaskRun } from "./one-task-run.ts";

const [stateDir = "", step = ""] = process.argv.slice(2);
const at = new Date("2026-03-01T00:00:00Z");
const note = "n".repeat(64 * 1024);
const die = (): never => {
  process.kill(process.pid, "SIGKILL");
  throw new Error("not killed");
};
let snapshots = 0;
let journals = 0;
let compacted = false;
const store = await RunStore.open(stateDir, {
  writer: {
    async write(file, text) {
      if (file.endsWith("state.json")) {
        snapshots++;
        // The first is the new state dir's; the second, the compaction's.
        if (snapshots === 2 && step === "before-snapshot") die();
        await durableStateWriter.write(file, text);
        if (snapshots === 2 && step === "after-snapshot") die();
      } else {
        journals++;
        await durableStateWriter.write(file, text);
        if (journals === 2) compacted = true;
        if (journals === 2 && step === "after-journal-start") die();
      }
    },
    async append(file, text) {
      if (compacted && step === "torn-after-compaction") {
        await appendDurably(file, text.slice(0, Math.floor(text.length / 2)));
        die();
      }
      const withConf = text.includes('"confRef"');
      if (withConf && step === "conf-before-append") die();
      await appendDurably(file, text);
      if (withConf && step === "conf-after-append") die();
    },
  },
});
await store.update((state) => {
  store.addRun(state, oneTaskRun("counted", "counter", at));
  store.addRun(state, oneTaskRun("other", "untouched", at));
});
for (let value = 1; value <= Number(process.argv[4] ?? 200); value++) {
  await store.update((state) => {
    const run = state.runs["counter"];
    if (run) run.notes = [`count ${value}`, note];
    // Half-way through the journal's bound, a run with a conf too large to stay inline.
    if (value === 8) {
      const big = oneTaskRun("counted", "big-conf", at);
      big.conf = { payload: "c".repeat(4096) };
      store.addRun(state, big);
    }
  });
  process.stdout.write(`${value}\n`);
}
process.stdout.write("not killed\n");
