// Issue 17 attack on group commit: a change that throws half-way, an update called from inside a
// change, and a disk that refuses a group of several callers and then recovers.
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { durableStateWriter } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";
import { activeStateOnDisk } from "../support/active-state-on-disk.ts";

const cleanup = useCleanup("file");

const run = (dagId: string, id: string): Run => oneTaskRun(dagId, id, new Date("2026-03-01T00:00:00Z"));

const onDisk = async (dir: string) => Object.keys((await activeStateOnDisk(dir)).runs).sort();

describe("group commit under attack", () => {
  it("a change that throws after changing state leaves nothing of itself, in memory or on disk", async () => {
    const dir = await cleanup.tempDir("group-throw-half");
    const store = await RunStore.open(dir);
    // Called in one turn: one group.
    const before = store.update((state) => store.addRun(state, run("a", "before")));
    const half = store.update((state) => {
      store.addRun(state, run("a", "half"));
      throw new Error("bad change after a first step");
    });
    const after = store.update((state) => store.addRun(state, run("b", "after")));
    await expect(half).rejects.toThrow("bad change after a first step");
    await before;
    await after;
    expect(Object.keys(store.state.runs).sort()).toEqual(["after", "before"]);
    expect(await onDisk(dir)).toEqual(["after", "before"]);
    const reopened = await RunStore.open(dir);
    expect(Object.keys(reopened.state.runs).sort()).toEqual(["after", "before"]);
  });

  it("an update called from inside a change is written by a later write and answered, without a deadlock", async () => {
    const dir = await cleanup.tempDir("group-reentrant");
    // Each state write's text, in order (whole state.json, or a journal line).
    const texts: string[] = [];
    const record = (text: string) => texts.push(text);
    const store = await RunStore.open(dir, {
      writer: {
        write: async (file, text) => (record(text), durableStateWriter.write(file, text)),
        append: async (file, text) => (record(text), durableStateWriter.append?.(file, text)),
      },
    });
    let inner: Promise<void> | undefined;
    await store.update((state) => {
      store.addRun(state, run("a", "outer"));
      inner = store.update((again) => store.addRun(again, run("a", "inner")));
    });
    const outerWrite = texts.findIndex((text) => text.includes('"outer"'));
    expect(outerWrite).toBeGreaterThanOrEqual(0);
    expect(texts[outerWrite]).not.toContain('"inner"');
    await inner;
    expect(texts.findIndex((text) => text.includes('"inner"'))).toBeGreaterThan(outerWrite);
    expect(await onDisk(dir)).toEqual(["inner", "outer"]);
  });

  it("ENOSPC on a group of several callers rejects each, rolls back, and the store writes again once the disk does", async () => {
    const dir = await cleanup.tempDir("group-enospc");
    const writer = new FailingStateWriter();
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, run("a", "kept")));
    writer.fail("ENOSPC");
    const refused = ["x", "y", "z"].map((id) => store.update((state) => store.addRun(state, run("a", id))));
    for (const each of refused) await expect(each).rejects.toMatchObject({ code: "ENOSPC" });
    expect(writer.refused).toBe(1);
    expect(Object.keys(store.state.runs)).toEqual(["kept"]);
    expect(store.writeError?.message).toContain("ENOSPC");
    // Still refusing: the next group fails too, and changes nothing.
    await expect(store.update((state) => store.addRun(state, run("a", "w")))).rejects.toMatchObject({
      code: "ENOSPC",
    });
    writer.succeed();
    await Promise.all(["p", "q"].map((id) => store.update((state) => store.addRun(state, run("b", id)))));
    expect(store.writeError).toBeUndefined();
    expect(await onDisk(dir)).toEqual(["kept", "p", "q"]);
    const reopened = await RunStore.open(dir);
    expect(Object.keys(reopened.state.runs).sort()).toEqual(["kept", "p", "q"]);
  });
});
