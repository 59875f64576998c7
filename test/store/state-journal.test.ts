// Issue 17: active state is state.json plus a journal of the entries each write changed. These pin
// what the journal writes, how it is read back (torn, stale, corrupt), compaction, and kill -9.
import { execFile, spawn } from "node:child_process";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ActiveState } from "../../src/runs/active-state.ts";
import { COMPACT_MIN_BYTES, readActiveState } from "../../src/store/active-state-file.ts";
import { durableStateWriter } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { CorruptStateError } from "../../src/store/state-file.ts";
import { recordingWriter } from "../support/recording-writer.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");
const child = path.join(import.meta.dirname, "support", "journal-child.ts");

/** What a store holds, as plain JSON (comparable across a reopen). */
function plain(state: Readonly<ActiveState>): unknown {
  return JSON.parse(JSON.stringify(state));
}

const journal = (dir: string) => readFile(path.join(dir, "state.journal"), "utf8");

describe("the active state journal", () => {
  it("appends only the entries a write changed, and a reopen replays them to the same state", async () => {
    const dir = await cleanup.tempDir("journal-append");
    const writer = recordingWriter();
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => {
      store.addRun(state, oneTaskRun("a", "first", at));
      store.addRun(state, oneTaskRun("b", "second", at));
    });
    // The first write of a new state dir is state.json whole, and a journal started for it.
    expect(writer.written).toEqual(["state.json", "state.journal"]);
    await store.update((state) => {
      const task = state.runs["first"]?.tasks[0];
      if (task) task.state = "queued";
    });
    expect(writer.appended).toHaveLength(1);
    expect(writer.appended[0]).toContain('["runs","first",');
    expect(writer.appended[0]).not.toContain('"second"');
    // Definitions, once written, are not written again.
    expect(writer.appended[0]).not.toContain('"definitions"');
    expect(writer.written).toEqual(["state.json", "state.journal"]);

    await store.update((state) => {
      delete state.runs["second"];
    });
    expect(writer.appended[1]).toBe('[["runs","second",null]]\n');
    const reopened = await RunStore.open(dir);
    expect(plain(reopened.state)).toEqual(plain(store.state));
    expect(reopened.state.runs["first"]?.tasks[0]?.state).toBe("queued");
    expect(Object.keys(reopened.state.runs)).toEqual(["first"]);
  });

  it("writes nothing for a change that changed nothing", async () => {
    const dir = await cleanup.tempDir("journal-nothing");
    const writer = recordingWriter();
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    const before = { appended: writer.appended.length, written: writer.written.length };
    await store.update(() => undefined);
    expect({ appended: writer.appended.length, written: writer.written.length }).toEqual(before);
  });

  it("keeps ids such as __proto__ and constructor as entries through the journal", async () => {
    const dir = await cleanup.tempDir("journal-odd-ids");
    const store = await RunStore.open(dir);
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    await store.update((state) => {
      store.addRun(state, oneTaskRun("__proto__", "__proto__", at));
      store.addRun(state, oneTaskRun("constructor", "constructor", at));
    });
    const reopened = await RunStore.open(dir);
    expect(Object.keys(reopened.state.runs).sort()).toEqual(["__proto__", "constructor", "first"]);
    expect(Object.getPrototypeOf(reopened.state.runs)).toBeNull();
    expect(reopened.getRun("__proto__")?.dagId).toBe("__proto__");
  });

  it("drops a torn last line (never acknowledged), and the next write starts a new generation", async () => {
    const dir = await cleanup.tempDir("journal-torn");
    const store = await RunStore.open(dir);
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    await store.update((state) => store.addRun(state, oneTaskRun("a", "second", at)));
    await appendFile(path.join(dir, "state.journal"), '[["runs","third",{"id":"thi');
    const reopened = await RunStore.open(dir);
    expect(Object.keys(reopened.state.runs).sort()).toEqual(["first", "second"]);
    await reopened.update((state) => store.addRun(state, oneTaskRun("a", "fourth", at)));
    // Appending after the torn line would have glued the two into one unreadable line.
    expect(await journal(dir)).toMatch(/^\{"journalGeneration":2,"snapshot":"[\w-]{27}"\}\n$/);
    const again = await RunStore.open(dir);
    expect(Object.keys(again.state.runs).sort()).toEqual(["first", "fourth", "second"]);
  });

  it("stops on a line it cannot read that is not the last, naming the journal", async () => {
    const dir = await cleanup.tempDir("journal-corrupt");
    const store = await RunStore.open(dir);
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    await store.update((state) => store.addRun(state, oneTaskRun("a", "second", at)));
    await appendFile(path.join(dir, "state.journal"), "not json\n");
    const opening = RunStore.open(dir);
    await expect(opening).rejects.toBeInstanceOf(CorruptStateError);
    await expect(opening).rejects.toThrow(/state\.journal is corrupt \(line 3:/);
  });

  it("ignores a journal of an older generation: state.json, written after it, holds its changes", async () => {
    const dir = await cleanup.tempDir("journal-stale");
    const store = await RunStore.open(dir);
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    const snapshot = JSON.parse(await readFile(path.join(dir, "state.json"), "utf8")) as Record<
      string,
      unknown
    >;
    // As a crash between writing state.json (generation 2) and starting its journal leaves them.
    await writeFile(path.join(dir, "state.json"), JSON.stringify({ ...snapshot, journalGeneration: 2 }));
    await appendFile(path.join(dir, "state.journal"), '[["runs","first",null]]\n');
    const reopened = await RunStore.open(dir);
    expect(Object.keys(reopened.state.runs)).toEqual(["first"]);
  });

  it("refuses a journal of a newer generation than state.json (state.json replaced by an older copy)", async () => {
    const dir = await cleanup.tempDir("journal-newer");
    const store = await RunStore.open(dir);
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    await writeFile(path.join(dir, "state.journal"), '{"journalGeneration":7}\n');
    await expect(RunStore.open(dir)).rejects.toThrow(/generation 7, but state\.json is generation 1/);
  });

  it("rewrites state.json whole once the journal outgrows it, and starts the journal again", async () => {
    const dir = await cleanup.tempDir("journal-compact");
    const writer = recordingWriter();
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    const note = "n".repeat(64 * 1024);
    let value = 0;
    while (writer.written.length === 2) {
      value++;
      await store.update((state) => {
        const run = state.runs["first"];
        if (run) run.notes = [`${value} ${note}`];
      });
      expect(value, "compacted within the journal's bound").toBeLessThan(
        (2 * COMPACT_MIN_BYTES) / note.length,
      );
    }
    // Compaction runs after the write that crossed the bound, before the next write.
    await store.update((state) => store.addRun(state, oneTaskRun("a", "second", at)));
    expect(writer.written).toEqual(["state.json", "state.journal", "state.json", "state.journal"]);
    const text = await journal(dir);
    expect(text).toMatch(/^\{"journalGeneration":2,"snapshot":"[\w-]{27}"\}\n/);
    // Restarted: at most the writes after the compaction (it crossed 1 MiB).
    expect(text.length).toBeLessThan(4 * note.length);
    const reopened = await RunStore.open(dir);
    expect(plain(reopened.state)).toEqual(plain(store.state));
    expect(reopened.state.runs["first"]?.notes[0]?.startsWith(`${value} `)).toBe(true);
  });

  it("rolls back a refused append, rejects it, and writes state.json whole once the disk takes a write", async () => {
    const dir = await cleanup.tempDir("journal-refused");
    let refuse = false;
    const written: string[] = [];
    const store = await RunStore.open(dir, {
      writer: {
        write: async (file, text) => (
          written.push(path.basename(file)),
          durableStateWriter.write(file, text)
        ),
        append: async (file, text) => {
          if (refuse) throw Object.assign(new Error("ENOSPC: no space left"), { code: "ENOSPC" });
          await durableStateWriter.append?.(file, text);
        },
      },
    });
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    refuse = true;
    await expect(store.update((state) => store.addRun(state, oneTaskRun("a", "lost", at)))).rejects.toThrow(
      "ENOSPC",
    );
    expect(Object.keys(store.state.runs)).toEqual(["first"]);
    refuse = false;
    written.length = 0;
    // Nothing changed, yet written: the store's health waits for a write that shows the disk works.
    await store.update(() => undefined);
    expect(written).toEqual(["state.json", "state.journal"]);
    expect(store.writeError).toBeUndefined();
    const reopened = await readActiveState(dir);
    expect(Object.keys(reopened.runs)).toEqual(["first"]);
  });

  it("holds every acknowledged change after kill -9 in the middle of an append (a torn line)", async () => {
    const dir = await cleanup.tempDir("journal-kill-torn");
    const { signal, stdout } = await new Promise<{ signal: string | null; stdout: string }>((resolve) => {
      const killed = execFile(
        process.execPath,
        ["--import", "tsx", child, dir, "25"],
        { timeout: 60_000 },
        (_error, out) => resolve({ signal: killed.signalCode, stdout: out }),
      );
    });
    expect(signal).toBe("SIGKILL");
    const acknowledged = stdout.trim().split("\n").map(Number);
    // Append 1 was the first count; append 25, torn, would have been count 25.
    expect(acknowledged.at(-1)).toBe(24);
    expect((await journal(dir)).endsWith("\n")).toBe(false);
    const store = await RunStore.open(dir);
    expect(store.state.runs["counter"]?.notes).toEqual(["count 24"]);
    expect(store.state.runs["untouched"]).toBeDefined();
    await store.update((state) => {
      const run = state.runs["counter"];
      if (run) run.notes = ["after the restart"];
    });
    const again = await RunStore.open(dir);
    expect(again.state.runs["counter"]?.notes).toEqual(["after the restart"]);
  });

  it("holds every acknowledged change after kill -9 at any moment of a stream of writes", async () => {
    const dir = await cleanup.tempDir("journal-kill-any");
    const started = spawn(process.execPath, ["--import", "tsx", child, dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    const killed = new Promise<void>((resolve) => {
      started.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        // Past a few hundred acknowledged writes, at whatever point the child is in the next one.
        if (output.split("\n").length > 300 && started.signalCode === null) started.kill("SIGKILL");
      });
      started.on("exit", () => resolve());
    });
    await killed;
    expect(started.signalCode).toBe("SIGKILL");
    const acknowledged = Math.max(...output.split("\n").filter(Boolean).map(Number));
    expect(acknowledged).toBeGreaterThan(299);
    const state = await readActiveState(dir);
    const count = Number(/^count (\d+)$/.exec(state.runs["counter"]?.notes[0] ?? "")?.[1]);
    // The write in flight may or may not have landed; none acknowledged is missing.
    expect([acknowledged, acknowledged + 1]).toContain(count);
  });
});
