// Run as a child by append-parts-attack.test.ts under a file size limit (ulimit -f): Node ignores
// SIGXFSZ, so a write past the limit lands what fits and then fails with EFBIG, as a disk filling up
// mid-write does. argv: mode ("writer" | "store"), a journal file or a state dir. Prints one JSON line.
import { HeldAppendWriter, writeFileDurably } from "../../../src/store/durable-write.ts";
import { RunStore } from "../../../src/store/run-store.ts";
import { oneTaskRun } from "./one-task-run.ts";

const [mode = "", target = ""] = process.argv.slice(2);
const at = new Date("2026-03-01T00:00:00Z");
/** About 450 KB in parts of 1,000 characters (7 pieces of ~64 K), multi-byte characters included. */
const bigParts = Array.from({ length: 450 }, (_, i) => `${i % 10}é😀${"x".repeat(996)}`);
const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error);

if (mode === "writer") {
  await writeFileDurably(target, "header\n");
  const writer = new HeldAppendWriter();
  await writer.append(target, "first\n");
  const big = await writer.appendParts(target, [...bigParts, "\n"]).then(String, codeOf);
  const after = await writer.appendParts(target, ["after\n"]).then(String, codeOf);
  await writer.release();
  console.log(JSON.stringify({ big, after }));
} else {
  const store = await RunStore.open(target);
  await store.update((state) => store.addRun(state, oneTaskRun("a", "small", at)));
  const big = await store
    .update((state) => {
      store.addRun(state, oneTaskRun("a", "big", at));
      const run = state.runs["big"];
      if (run) run.notes = bigParts;
    })
    .then(() => "ok", codeOf);
  const after = await store
    .update((state) => store.addRun(state, oneTaskRun("a", "after", at)))
    .then(() => "ok", codeOf);
  console.log(JSON.stringify({ big, after, runs: Object.keys(store.state.runs) }));
}
