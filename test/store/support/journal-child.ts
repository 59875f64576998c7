// Run as a child by state-journal.test.ts: sets a counter in one run's conf-free field, one update at a
// time, printing each value once its update is acknowledged. With argv[3] = N, the N-th journal append
// writes only the first half of its line, then the process kills itself with SIGKILL (a torn append);
// without it the parent kills the child whenever it likes.
import { appendDurably, durableStateWriter } from "../../../src/store/durable-write.ts";
import { RunStore } from "../../../src/store/run-store.ts";
import { oneTaskRun } from "./one-task-run.ts";

const [stateDir = "", tornAt] = process.argv.slice(2);
let appends = 0;
const store = await RunStore.open(stateDir, {
  writer: {
    write: durableStateWriter.write,
    async append(file, text) {
      appends++;
      if (tornAt !== undefined && appends === Number(tornAt)) {
        await appendDurably(file, text.slice(0, Math.floor(text.length / 2)));
        process.kill(process.pid, "SIGKILL");
      }
      await appendDurably(file, text);
    },
  },
});
await store.update((state) => {
  store.addRun(state, oneTaskRun("counted", "counter", new Date("2026-03-01T00:00:00Z")));
  store.addRun(state, oneTaskRun("other", "untouched", new Date("2026-03-01T00:00:00Z")));
});
for (let value = 1; value <= 100_000; value++) {
  await store.update((state) => {
    const run = state.runs["counter"];
    if (run) run.notes = [`count ${value}`];
  });
  process.stdout.write(`${value}\n`);
}
