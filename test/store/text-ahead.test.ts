// Texts made ahead of a write (src/store/text-ahead.ts, used by the due second prepared while idle):
// the write takes one only for the same object with the shape it was made for, once; what reaches
// the disk is always the entry's JSON (and the suite's UPDRAFT_VERIFY_RUN_SHAPES checks every text
// taken against it).
import { describe, expect, it } from "vitest";
import type { DagState } from "../../src/runs/active-state.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dagTextAhead } from "../../src/store/text-ahead.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const PLACEHOLDER = "0001-01-01T00:00:00.000Z";
const STAMP = "2026-03-01T00:00:00.123Z";
const definition = dag("a", { tasks: [pod("only")] });

function placeheld(id: string, conf: Record<string, unknown> = {}): Run {
  return newRun(definition, {
    id,
    trigger: "scheduled",
    logicalDate: new Date("2026-03-01T00:00:00Z"),
    conf,
    commit: null,
    snapshot: "/s",
    now: new Date(PLACEHOLDER),
  });
}

async function openStore(): Promise<{ dir: string; store: RunStore }> {
  const dir = await cleanup.tempDir("updraft-text-ahead-");
  return { dir, store: await RunStore.open(dir) };
}

describe("a run's text made ahead", () => {
  it("is written with the time put in, and reads back as the run", async () => {
    const { dir, store } = await openStore();
    const copy = store.stateCopyOf(placeheld("r1"));
    const ahead = store.runTextAhead(copy, PLACEHOLDER);
    expect(ahead?.stampAt).toHaveLength(1);
    copy.queuedAt = STAMP;
    await store.update((state) => store.addStateCopy(state, copy, definition, ahead, STAMP));
    const reread = await RunStore.open(dir);
    expect(reread.state.runs["r1"]).toStrictEqual(copy);
    expect(reread.state.runs["r1"]?.queuedAt).toBe(STAMP);
  });

  it("is not taken for a run changed after it was made: the run's own JSON is written", async () => {
    const { dir, store } = await openStore();
    const copy = store.stateCopyOf(placeheld("r1"));
    const ahead = store.runTextAhead(copy, PLACEHOLDER);
    copy.queuedAt = STAMP;
    copy.notes.push("added after the text was made");
    await store.update((state) => store.addStateCopy(state, copy, definition, ahead, STAMP));
    const reread = await RunStore.open(dir);
    expect(reread.state.runs["r1"]?.notes).toEqual(["added after the text was made"]);
  });

  it("is refused when the placeholder's text is also in the conf (it could not be told from the time)", async () => {
    const { store } = await openStore();
    const copy = store.stateCopyOf(placeheld("r1", { note: PLACEHOLDER }));
    expect(store.runTextAhead(copy, PLACEHOLDER)).toBeUndefined();
  });

  it("that is wrong for the shape it claims fails the write in tests, naming the entry", async () => {
    const { store } = await openStore();
    const copy = store.stateCopyOf(placeheld("r1"));
    const ahead = store.runTextAhead(copy, PLACEHOLDER);
    if (!ahead) throw new Error("no text made");
    // Same shape, other JSON: a field's text changed in the pieces.
    const wrong = {
      ...ahead,
      pieces: ahead.pieces.map((piece) => piece.replace('"trigger":"scheduled"', '"trigger":"manual"')),
    };
    expect(wrong.pieces).not.toEqual(ahead.pieces);
    copy.queuedAt = STAMP;
    await expect(
      store.update((state) => store.addStateCopy(state, copy, definition, wrong, STAMP)),
    ).rejects.toThrow(/runs entry given as .* is .*the text made ahead was wrong/);
  });
});

describe("a DAG state's text made ahead", () => {
  it("is the state's JSON once lastScheduledAt is set, and is written as such", async () => {
    const { dir, store } = await openStore();
    await store.update((state) => {
      state.dags["a"] = { paused: false, lastScheduledAt: "2026-03-01T00:00:00.000Z", skipped: [] };
    });
    const dagState = store.state.dags["a"] as DagState;
    const given = store.dagTextAhead(dagState, "2026-03-01T00:01:00.000Z");
    if (!given) throw new Error("no text made");
    await store.update(() => {
      dagState.lastScheduledAt = "2026-03-01T00:01:00.000Z";
      store.giveDagText("a", dagState, given);
    });
    expect(given.text).toBe(JSON.stringify(dagState));
    const reread = await RunStore.open(dir);
    expect(reread.state.dags["a"]).toStrictEqual(dagState);
  });

  it("is not made for a state whose shape does not hold the field as expected", () => {
    const odd = { paused: false, skipped: [] } as unknown as DagState;
    expect(dagTextAhead(odd, "2026-03-01T00:01:00.000Z")).toBeUndefined();
  });
});
