// Group commit: changes that arrive while a state write is in flight share the next write, and no
// caller hears "done" before the write holding its change is on disk.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { durableStateWriter, type StateWriter } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");

const run = (dagId: string, id: string): Run => oneTaskRun(dagId, id, new Date("2026-03-01T00:00:00Z"));

/** Holds each state.json write until the test releases it (or fails it); other files pass. */
class GatedWriter implements StateWriter {
  readonly held: Array<{ text: string; release(): void; fail(code: string): void }> = [];
  readonly written: string[] = [];
  #arrived: (() => void) | undefined;

  async write(file: string, text: string): Promise<void> {
    if (path.basename(file) !== "state.json") return durableStateWriter.write(file, text);
    await new Promise<void>((resolve, reject) => {
      this.held.push({
        text,
        release: resolve,
        fail: (code) => reject(Object.assign(new Error(`${code}: refused by the test`), { code })),
      });
      this.#arrived?.();
    });
    await durableStateWriter.write(file, text);
    this.written.push(text);
  }

  /** Resolves once `count` state writes have been asked for. */
  async waitFor(count: number): Promise<void> {
    while (this.held.length < count) await new Promise<void>((resolve) => (this.#arrived = resolve));
  }
}

const runIdsOf = (text: string) => Object.keys((JSON.parse(text) as { runs: object }).runs).sort();
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("RunStore group commit", () => {
  it("writes the changes that arrived during a write in one next write, answering each only once it is durable", async () => {
    const dir = await cleanup.tempDir("group-commit");
    const writer = new GatedWriter();
    const store = await RunStore.open(dir, { writer });
    const answered: string[] = [];
    const first = store
      .update((state) => store.addRun(state, run("a", "first")))
      .then(() => answered.push("first"));
    await writer.waitFor(1);
    // Arrive while the first write is in flight.
    const second = store
      .update((state) => store.addRun(state, run("a", "second")))
      .then(() => answered.push("second"));
    const third = store
      .update((state) => store.addRun(state, run("b", "third")))
      .then(() => answered.push("third"));
    await flush();
    expect(answered).toEqual([]);
    writer.held[0]?.release();
    await first;
    expect(answered).toEqual(["first"]);
    await writer.waitFor(2);
    await flush();
    // The second and third share one write, not yet durable: neither is answered.
    expect(writer.held).toHaveLength(2);
    expect(runIdsOf(writer.held[1]?.text ?? "{}")).toEqual(["first", "second", "third"]);
    expect(answered).toEqual(["first"]);
    writer.held[1]?.release();
    await Promise.all([second, third]);
    expect(answered).toEqual(["first", "second", "third"]);
    expect(writer.written).toHaveLength(2);
    expect(runIdsOf(await readFile(path.join(dir, "state.json"), "utf8"))).toEqual([
      "first",
      "second",
      "third",
    ]);
  });

  it("a failed group write rejects every change in it and rolls active state back to the disk's", async () => {
    const dir = await cleanup.tempDir("group-commit-fail");
    const writer = new GatedWriter();
    const store = await RunStore.open(dir, { writer });
    const first = store.update((state) => store.addRun(state, run("a", "first")));
    await writer.waitFor(1);
    const second = store.update((state) => store.addRun(state, run("a", "second")));
    const third = store.update((state) => store.addRun(state, run("b", "third")));
    writer.held[0]?.release();
    await first;
    await writer.waitFor(2);
    writer.held[1]?.fail("EIO");
    await expect(second).rejects.toMatchObject({ code: "EIO" });
    await expect(third).rejects.toMatchObject({ code: "EIO" });
    expect(Object.keys(store.state.runs)).toEqual(["first"]);
    expect(store.writeError?.message).toContain("EIO");
    // The next change is written on its own, from the state on disk.
    const later = store.update((state) => store.addRun(state, run("a", "later")));
    await writer.waitFor(3);
    writer.held[2]?.release();
    await later;
    expect(store.writeError).toBeUndefined();
    expect(runIdsOf(await readFile(path.join(dir, "state.json"), "utf8"))).toEqual(["first", "later"]);
  });

  it("a change that throws rejects its caller only; the rest of its group is written", async () => {
    const dir = await cleanup.tempDir("group-commit-throw");
    const writer = new GatedWriter();
    const store = await RunStore.open(dir, { writer });
    const first = store.update((state) => store.addRun(state, run("a", "first")));
    await writer.waitFor(1);
    const thrown = store.update(() => {
      throw new Error("bad change");
    });
    const kept = store.update((state) => store.addRun(state, run("a", "kept")));
    writer.held[0]?.release();
    await writer.waitFor(2);
    writer.held[1]?.release();
    await first;
    await expect(thrown).rejects.toThrow("bad change");
    await kept;
    expect(runIdsOf(await readFile(path.join(dir, "state.json"), "utf8"))).toEqual(["first", "kept"]);
  });

  it("archiveAll writes each DAG's history once and active state once, and drops unused definitions", async () => {
    const dir = await cleanup.tempDir("archive-all");
    const files: string[] = [];
    const store = await RunStore.open(dir, {
      writer: {
        write: (file, text) => (files.push(path.basename(file)), durableStateWriter.write(file, text)),
      },
    });
    const runs = [run("a", "a1"), run("a", "a2"), run("b", "b1"), run("b", "b2"), run("b", "b3")];
    await store.update((state) => {
      for (const r of runs) store.addRun(state, r);
      store.addRun(state, run("c", "c1"));
    });
    files.length = 0;
    await store.archiveAll(runs.map((r) => ({ ...store.getRun(r.id), state: "success" }) as Run));
    expect(files.sort()).toEqual(["a.json", "b.json", "state.json"]);
    expect(Object.keys(store.state.runs)).toEqual(["c1"]);
    expect(Object.keys(store.state.definitions).map((key) => key.split("@")[0])).toEqual(["c"]);
    expect(
      store
        .runsOf("b", 10)
        .map((r) => r.id)
        .sort(),
    ).toEqual(["b1", "b2", "b3"]);
    const reopened = await RunStore.open(dir);
    expect(reopened.runsOf("a", 10).map((r) => [r.id, r.state])).toEqual([
      ["a2", "success"],
      ["a1", "success"],
    ]);
  });
});
