// Issue 17 attack on the journal's removal check, which now runs only when an entry on disk is
// missing from the state (`kept < written.size` in ActiveStateFile#changes): an entry removed and
// another added in the same write (as many entries as before, different keys), an entry set to
// undefined (JSON leaves it out), and a removal next to an unchanged entry set again. A restart
// must read exactly the state the write acknowledged.
import { describe, expect, it } from "vitest";
import type { ActiveState } from "../../src/runs/active-state.ts";
import { readActiveState } from "../../src/store/active-state-file.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("test");
const at = new Date("2026-03-01T00:00:00Z");

async function storeWith(ids: string[]): Promise<{ store: RunStore; dir: string }> {
  const dir = await cleanup.tempDir("removal-check");
  const store = await RunStore.open(dir);
  // One write each: the later ones append (the removal check runs on an appended line).
  for (const id of ids) await store.update((state) => store.addRun(state, oneTaskRun("a", id, at)));
  return { store, dir };
}

const runIds = async (dir: string) => Object.keys((await readActiveState(dir)).runs).sort();

describe("the journal's removal check", () => {
  it("an entry removed and another added in one write (as many as before): both land", async () => {
    const { store, dir } = await storeWith(["one", "two", "three"]);
    await store.update((state) => {
      delete state.runs["two"];
      store.addRun(state, oneTaskRun("a", "four", at));
    });
    expect(await runIds(dir)).toEqual(["four", "one", "three"]);
    expect(Object.keys(store.state.runs).sort()).toEqual(["four", "one", "three"]);
  });

  it("an entry set to undefined is removed, also with another added in the same write", async () => {
    const { store, dir } = await storeWith(["one", "two"]);
    await store.update((state) => {
      (state.runs as Record<string, ActiveState["runs"][string] | undefined>)["one"] = undefined;
      store.addRun(state, oneTaskRun("a", "three", at));
    });
    expect(await runIds(dir)).toEqual(["three", "two"]);
  });

  it("two removed and two added, keys swapped between writes: a restart reads the last", async () => {
    const { store, dir } = await storeWith(["one", "two", "three", "four"]);
    await store.update((state) => {
      delete state.runs["one"];
      delete state.runs["two"];
      store.addRun(state, oneTaskRun("a", "five", at));
      store.addRun(state, oneTaskRun("a", "six", at));
    });
    await store.update((state) => {
      delete state.runs["five"];
      store.addRun(state, oneTaskRun("a", "one", at));
    });
    expect(await runIds(dir)).toEqual(["four", "one", "six", "three"]);
    await store.settle();
    expect(await runIds(dir)).toEqual(["four", "one", "six", "three"]);
  });
});
