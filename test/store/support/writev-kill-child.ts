// Run as a child by writev-kill.test.ts: through the store's own writer (HeldAppendWriter: a line's
// pieces in one writev), sets a counter with a ~300 KB note of multi-byte characters (a line of
// several pieces), printing each value once acknowledged, until the parent kills it (SIGKILL).
// Starts from the value the state dir holds.
import { RunStore } from "../../../src/store/run-store.ts";
import { oneTaskRun } from "./one-task-run.ts";

const [stateDir = ""] = process.argv.slice(2);
const at = new Date("2026-03-01T00:00:00Z");
const store = await RunStore.open(stateDir);
if (!store.state.runs["counter"])
  await store.update((state) => store.addRun(state, oneTaskRun("c", "counter", at)));
let value = Number(/^count (\d+)/.exec(store.state.runs["counter"]?.notes[0] ?? "")?.[1] ?? 0);
for (;;) {
  value++;
  const note = `count ${value} ${"é😀\u2028x".repeat(60_000)}`;
  await store.update((state) => {
    const run = state.runs["counter"];
    if (run) run.notes = [note];
  });
  console.log(value);
}
