// Issue 17: finished runs are read from disk when asked instead of all held. The paged store must
// answer what the eager one did, read only what start needs, and hold at most its cache.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { newestFirst, type RunCursor } from "../../src/runs/run-order.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { ConfFiles } from "../../src/store/conf-files.ts";
import { durableStateWriter } from "../../src/store/durable-write.ts";
import { fileHistoryReader, type HistoryReader } from "../../src/store/history-reader.ts";
import { RunHistory } from "../../src/store/run-history.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import {
  eagerAllRuns,
  eagerGetRun,
  eagerRecentRuns,
  eagerRunsOf,
  readEagerly,
} from "./support/eager-history.ts";

const cleanup = useCleanup("file");

/** A small seeded generator (mulberry32): the same histories on every run. */
function random(seed: number): (below: number) => number {
  let a = seed;
  return (below) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

function runOf(
  dagId: string,
  id: string,
  logicalMinute: number,
  queuedMinute: number,
  finished: boolean,
): Run {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1) + minute * 60_000).toISOString();
  const { definition: _definition, ...run } = newRun(dag(dagId, { tasks: [pod("only")] }), {
    id,
    trigger: "manual",
    logicalDate: new Date(at(logicalMinute)),
    conf: { n: logicalMinute },
    commit: null,
    snapshot: "/snapshots/a",
    now: new Date(at(queuedMinute)),
  });
  return finished ? { ...run, state: "failed", endedAt: at(queuedMinute + 1) } : run;
}

/** A counting reader: which files were read, in order. */
function countingReader(): HistoryReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: (file) => {
      reads.push(path.basename(file));
      return fileHistoryReader.read(file);
    },
    readSync: (file) => {
      reads.push(path.basename(file));
      return fileHistoryReader.readSync(file);
    },
  };
}

/** Writes history files as RunStore.archive leaves them, with ties in both orders and empty files. */
async function writeHistories(stateDir: string, seed: number): Promise<Map<string, Run[]>> {
  const next = random(seed);
  const histories = new Map<string, Run[]>();
  await mkdir(path.join(stateDir, "runs"), { recursive: true });
  for (let d = 0; d < 7; d++) {
    const dagId = `dag_${d}`;
    const runs: Run[] = [];
    const count = d === 4 ? 0 : 1 + next(15);
    for (let k = 0; k < count; k++)
      runs.push(runOf(dagId, `${dagId}__manual__${next(40)}_${k}`, next(8), next(6), true));
    histories.set(dagId, runs);
    await writeFile(path.join(stateDir, "runs", `${dagId}.json`), JSON.stringify({ runs }));
  }
  return histories;
}

/** Every cursor of an order (each run in it), and one that is no run (between two logical dates). */
function cursorsOf(order: readonly Run[]): Array<RunCursor | undefined> {
  return [
    undefined,
    ...order.map(({ logicalDate, id }) => ({ logicalDate, id })),
    {
      logicalDate: "2026-01-01T00:03:30.000Z",
      id: "between",
    },
  ];
}

describe("the paged history answers what the eager one did", () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`runsOf, allRuns, recentRuns and getRun across cursors (histories of seed ${seed})`, async () => {
      const dir = await cleanup.tempDir(`paged-history-${seed}`);
      await writeHistories(dir, seed);
      // A cache of about one file: most reads go to disk again.
      const store = await RunStore.open(dir, { historyCacheBytes: 2_000 });
      const next = random(seed + 100);
      await store.update((state) => {
        for (let i = 0; i < 4; i++) {
          const dagId = `dag_${next(9)}`;
          store.addRun(state, runOf(dagId, `${dagId}__manual__active_${i}`, next(8), next(6), false));
        }
      });
      // A run being archived: in its history and in state.json until the state write lands.
      const archived = (await readEagerly(dir, {})).files.get("dag_1")?.[0] as Run;
      await store.update((state) => store.addRun(state, structuredClone(archived)));
      const view = await readEagerly(dir, store.state.runs);
      const dagIds = [...new Set([...view.files.keys(), "dag_7", "dag_8", "nope"])];

      for (const dagId of dagIds) {
        const order = eagerRunsOf(view, dagId, 1000);
        for (const before of cursorsOf(order))
          for (const limit of [1, 2, 3, 5, 1000])
            expect(store.runsOf(dagId, limit, before), `${dagId} ${limit} ${before?.id}`).toEqual(
              eagerRunsOf(view, dagId, limit, before),
            );
      }
      const all = eagerAllRuns(view, 1000);
      expect(all.length).toBeGreaterThan(20);
      for (const before of cursorsOf(all))
        for (const limit of [1, 4, 1000])
          expect(store.allRuns(limit, before), `all ${limit} ${before?.id}`).toEqual(
            eagerAllRuns(view, limit, before),
          );
      for (const limit of [0, 1, 2, 3, 5, 10, 25, 1000])
        expect(store.recentRuns(limit), `recent ${limit}`).toEqual(eagerRecentRuns(view, limit));
      for (const id of [...all.map((run) => run.id), "nope", "dag_2__manual__nope", "__x"])
        expect(store.getRun(id), id).toEqual(eagerGetRun(view, id));
      expect(all).toEqual([...all].sort(newestFirst));
    });
  }
});

describe("reading the history", () => {
  it("at start reads each file once and holds none parsed; a run read later reads its DAG's file once", async () => {
    const dir = await cleanup.tempDir("paged-history-start");
    const histories = await writeHistories(dir, 7);
    const reader = countingReader();
    const store = await RunStore.open(dir, { historyReader: reader });
    const files = [...histories.keys()].map((id) => `${id}.json`);
    expect([...reader.reads].sort()).toEqual(files.sort());
    reader.reads.length = 0;
    // Each DAG's newest run is held: a DAG list reads no file.
    for (const dagId of histories.keys()) store.runsOf(dagId, 1);
    expect(reader.reads).toEqual([]);
    // An older run: its DAG's file, once.
    const runs = [...(histories.get("dag_5") ?? [])].sort(newestFirst);
    const older = runs[runs.length - 1] as Run;
    expect(runs.length).toBeGreaterThan(1);
    expect(store.getRun(older.id)).toEqual(older);
    expect(store.runsOf("dag_5", 100)).toEqual(runs);
    expect(reader.reads).toEqual(["dag_5.json"]);
    expect(store.getRun("elsewhere")).toBeUndefined();
    expect(reader.reads).toEqual(["dag_5.json"]);
  });

  it("holds at most its cache of parsed files after every DAG's runs were read", async () => {
    const dir = await cleanup.tempDir("paged-history-cap");
    await mkdir(path.join(dir, "runs"), { recursive: true });
    const reader = countingReader();
    const cap = 20_000;
    const history = new RunHistory(path.join(dir, "runs"), {
      keepRuns: 100,
      writer: durableStateWriter,
      confs: new ConfFiles(path.join(dir, "confs")),
      reader,
      cacheBytes: cap,
    });
    for (let d = 0; d < 30; d++) {
      const runs = Array.from({ length: 10 }, (_, k) =>
        runOf(`cap_${d}`, `cap_${d}__manual__${k}`, k, k, true),
      );
      await writeFile(path.join(dir, "runs", `cap_${d}.json`), JSON.stringify({ runs }));
    }
    await history.load();
    expect(history.cached).toEqual({ bytes: 0, files: 0 });
    for (let round = 0; round < 2; round++)
      for (let d = 0; d < 30; d++) {
        const entries = history.sortedEntries(`cap_${d}`);
        expect(history.runsOf(`cap_${d}`, entries).map((run) => run.id)).toEqual(
          Array.from({ length: 10 }, (_, k) => `cap_${d}__manual__${9 - k}`),
        );
        expect(history.cached.bytes).toBeLessThanOrEqual(cap);
      }
    expect(history.cached.files).toBeGreaterThan(0);
    expect(history.cached.files).toBeLessThan(30);
    // Paged: the second round read the files again.
    expect(reader.reads.length).toBeGreaterThan(60);
  });

  it("the start-up sweep keeps the log folders of archived runs and removes an orphan's", async () => {
    const dir = await cleanup.tempDir("paged-history-sweep");
    const histories = await writeHistories(dir, 11);
    const folders: string[] = [];
    for (const [dagId, runs] of histories)
      for (const run of runs) {
        folders.push(path.join(dagId, run.id));
        await mkdir(path.join(dir, "logs", dagId, run.id), { recursive: true });
      }
    // Runs pruned just before a crash; one's id is in its DAG's file, but only as a task's id.
    await mkdir(path.join(dir, "logs", "dag_2", "only"), { recursive: true });
    await mkdir(path.join(dir, "logs", "dag_2", "dag_2__manual__pruned"), { recursive: true });
    await RunStore.open(dir);
    const left: string[] = [];
    for (const dagId of await readdir(path.join(dir, "logs")))
      for (const runId of await readdir(path.join(dir, "logs", dagId))) left.push(path.join(dagId, runId));
    expect(left.sort()).toEqual(folders.sort());
  });

  it("shows an archived run only once its history file is on disk; a refused write changes nothing", async () => {
    const dir = await cleanup.tempDir("paged-history-refused");
    const writer = new FailingStateWriter();
    const store = await RunStore.open(dir, { writer, historyCacheBytes: 1 });
    const kept = runOf("dag_1", "dag_1__manual__kept", 1, 1, true);
    await store.archive(kept);
    writer.fail("ENOSPC", (file) => file.includes(`${path.sep}runs${path.sep}`));
    const refused = runOf("dag_1", "dag_1__manual__refused", 2, 2, true);
    const archiving = store.archive(refused);
    const seenDuringWrite = store.getRun(refused.id);
    await expect(archiving).rejects.toThrow(/ENOSPC/);
    expect(seenDuringWrite).toBeUndefined();
    expect(store.getRun(refused.id)).toBeUndefined();
    expect(store.runsOf("dag_1", 10).map((run) => run.id)).toEqual([kept.id]);
    expect(store.recentRuns(10).map((run) => run.id)).toEqual([kept.id]);
    writer.succeed();
    const reopened = await RunStore.open(dir);
    expect(reopened.runsOf("dag_1", 10).map((run) => run.id)).toEqual([kept.id]);
  });

  it("a standby sees what the leader archived after it loaded, once it loads again", async () => {
    const dir = await cleanup.tempDir("paged-history-standby");
    const leader = await RunStore.open(dir);
    const standby = new RunStore(dir, { historyCacheBytes: 1 });
    await standby.load({ owner: false });
    await leader.archive(runOf("dag_1", "dag_1__manual__a", 1, 1, true));
    await leader.archive(runOf("dag_2", "dag_2__manual__b", 2, 2, true));
    await standby.load({ owner: false });
    expect(standby.getRun("dag_2__manual__b")?.state).toBe("failed");
    expect(standby.recentRuns(10).map((run) => run.id)).toEqual(["dag_2__manual__b", "dag_1__manual__a"]);
  });
});
