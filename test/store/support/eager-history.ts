// What the run store answered when it held every finished run in memory (before issue 17 paged
// the history): the paged store must answer exactly the same. Copied from run-store.ts as it was.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Run } from "../../../src/runs/run-model.ts";
import { newestFirst, type RunCursor } from "../../../src/runs/run-order.ts";

export interface EagerView {
  active: Record<string, Run>;
  /** Each DAG's history file's runs in file order; the map in the order the files were listed. */
  files: Map<string, Run[]>;
}

export async function readEagerly(stateDir: string, active: Record<string, Run>): Promise<EagerView> {
  const files = new Map<string, Run[]>();
  const dir = path.join(stateDir, "runs");
  for (const file of await readdir(dir)) {
    if (!file.endsWith(".json")) continue;
    const data = JSON.parse(await readFile(path.join(dir, file), "utf8")) as { runs: Run[] };
    files.set(decodeURIComponent(file.slice(0, -5)), data.runs);
  }
  return { active, files };
}

export function eagerGetRun(view: EagerView, id: string): Run | undefined {
  if (Object.hasOwn(view.active, id)) return view.active[id];
  for (const runs of view.files.values()) {
    const run = runs.find((r) => r.id === id);
    if (run) return run;
  }
  return undefined;
}

export function eagerRunsOf(view: EagerView, dagId: string, limit: number, before?: RunCursor): Run[] {
  const older = (run: Run) => before === undefined || newestFirst(run, before) > 0;
  const active = Object.values(view.active)
    .filter((run) => run.dagId === dagId && older(run))
    .sort(newestFirst);
  const page: Run[] = [];
  const finished = [...(view.files.get(dagId) ?? [])].sort(newestFirst);
  let a = 0;
  let f = finished.findIndex(older);
  if (f < 0) f = finished.length;
  while (page.length < limit && (a < active.length || f < finished.length)) {
    const nextActive = active[a];
    const nextFinished = finished[f];
    if (nextActive && (!nextFinished || newestFirst(nextActive, nextFinished) <= 0)) {
      page.push(nextActive);
      a++;
    } else if (nextFinished) {
      if (!Object.hasOwn(view.active, nextFinished.id)) page.push(nextFinished);
      f++;
    }
  }
  return page;
}

export function eagerAllRuns(view: EagerView, limit: number, before?: RunCursor): Run[] {
  const dagIds = new Set(view.files.keys());
  for (const run of Object.values(view.active)) dagIds.add(run.dagId);
  return [...dagIds]
    .flatMap((dagId) => eagerRunsOf(view, dagId, limit, before))
    .sort(newestFirst)
    .slice(0, limit);
}

export function eagerRecentRuns(view: EagerView, limit: number): Run[] {
  const newest: Run[] = [];
  const offer = (run: Run) => {
    const last = newest[limit - 1];
    if (last && run.queuedAt <= last.queuedAt) return;
    let at = newest.length;
    while (at > 0 && (newest[at - 1] as Run).queuedAt < run.queuedAt) at--;
    newest.splice(at, 0, run);
    if (newest.length > limit) newest.pop();
  };
  if (limit <= 0) return newest;
  for (const run of Object.values(view.active)) offer(run);
  for (const runs of view.files.values())
    for (let i = Math.max(0, runs.length - limit); i < runs.length; i++) {
      const run = runs[i] as Run;
      if (!Object.hasOwn(view.active, run.id)) offer(run);
    }
  return newest;
}
