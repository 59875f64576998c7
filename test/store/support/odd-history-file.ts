// Run as a child by odd-history-file.test.ts (a read that blocks would freeze the test's own
// thread): archives runs, replaces a DAG's history file with something odd, then reads an old run
// through each path and prints what each answered as one JSON line.
import { execFileSync } from "node:child_process";
import { mkdir, rm, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Run } from "../../../src/runs/run-model.ts";
import { RunStore } from "../../../src/store/run-store.ts";
import { finishedOneTaskRun } from "./one-task-run.ts";

const [mode = "fifo", stateDir = ""] = process.argv.slice(2);

const finished = (dagId: string, id: string, day: number): Run =>
  finishedOneTaskRun(dagId, id, new Date(Date.UTC(2026, 2, day)));

const answer = (read: () => unknown): unknown => {
  try {
    const value = read();
    return { ok: Array.isArray(value) ? value.length : value === undefined ? "none" : "run" };
  } catch (error) {
    return { error: `${(error as NodeJS.ErrnoException).code ?? ""} ${(error as Error).message}`.trim() };
  }
};

if (mode === "fifo-at-start") {
  await mkdir(path.join(stateDir, "runs"), { recursive: true });
  execFileSync("mkfifo", [path.join(stateDir, "runs", "d.json")]);
  const opened = await RunStore.open(stateDir).then(
    () => ({ ok: "opened" }),
    (error: Error) => ({ error: error.message }),
  );
  process.stdout.write(`${JSON.stringify({ open: opened })}\n`);
  process.exit(0);
}

// A cache of one byte holds only the file written last: d's file is read from disk when asked.
const store = await RunStore.open(stateDir, { historyCacheBytes: 1 });
for (const [i, id] of ["d1", "d2", "d3"].entries()) {
  await store.update((state) => store.addRun(state, finished("d", id, i + 1)));
  await store.archive(finished("d", id, i + 1));
}
await store.update((state) => store.addRun(state, finished("e", "e1", 1)));
await store.archive(finished("e", "e1", 1));

const file = path.join(stateDir, "runs", "d.json");
await rm(file);
if (mode === "fifo") execFileSync("mkfifo", [file]);
if (mode === "dir") await mkdir(file);
if (mode === "truncated") {
  await writeFile(file, JSON.stringify({ runs: [finished("d", "d1", 1)] }));
  await truncate(file, 20);
}
const result: Record<string, unknown> = {
  getRun: answer(() => store.getRun("d1")),
  runsOf: answer(() => store.runsOf("d", 10)),
  allRuns: answer(() => store.allRuns(10)),
};
// The archive path reads the file asynchronously, inside the store's write queue.
const archived = await Promise.race([
  store.archive(finished("d", "d4", 4)).then(
    () => ({ ok: "archived" }),
    (error: Error) => ({ error: error.message }),
  ),
  new Promise((resolve) => setTimeout(() => resolve({ error: "hung" }), 5000).unref()),
]);
result.archive = archived;
// Later writes of other DAGs must not wait behind it for ever.
result.later = await Promise.race([
  store.update(() => undefined).then(() => ({ ok: "written" })),
  new Promise((resolve) => setTimeout(() => resolve({ error: "hung" }), 5000).unref()),
]);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
