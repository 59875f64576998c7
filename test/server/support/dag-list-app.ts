import { DagRegistry } from "../../../src/dags/dag-registry.ts";
import type { DagSet } from "../../../src/dags/dag-set.ts";
import type { DagDefinition } from "../../../src/dags/spec/dag-schema.ts";
import { HttpListener } from "../../../src/daemon/http-listener.ts";
import type { Run, RunState } from "../../../src/runs/run-model.ts";
import { newRun } from "../../../src/scheduler/run-planner.ts";
import { SecretMask } from "../../../src/secrets/secret-mask.ts";
import type { UpdraftApp } from "../../../src/server/app.ts";
import { RunStore } from "../../../src/store/run-store.ts";
import { dag } from "../../scheduler-loop/harness.ts";
import { storeApp } from "./store-app.ts";
import type { Cleanup } from "../../support/cleanup.ts";

/** A secret DAG code could have read: it is in an owner and must never be served. */
export const LIST_SECRET = "list-secret-0123456789abcdef";

/** Hostile text in filter values, ids-as-tags and owners: it must come back as text. */
export const HOSTILE_TAG = `<script>alert("tag")</script>&"'`;

/** The listed DAGs: prototype names, tags, owners, folders, and one DAG in each state. */
export const NAMED: Array<{ definition: DagDefinition; file: string }> = [
  {
    definition: dag("constructor", { tags: ["__proto__"], owner: "constructor" }),
    file: "dags/teams/a/proto.ts",
  },
  { definition: dag("__proto__", { tags: ["toString"], owner: "__proto__" }), file: "dags/teams/b/proto.ts" },
  { definition: dag("alpha", { tags: ["etl", HOSTILE_TAG], owner: "ann" }), file: "dags/teams/a/alpha.ts" },
  {
    definition: dag("beta", { tags: ["etl"], owner: "bob", pausedOnCreation: true }),
    file: "dags/teams/b/beta.ts",
  },
  { definition: dag("gamma", { tags: [HOSTILE_TAG], owner: "ann" }), file: "dags/teams/a/gamma.ts" },
  { definition: dag("delta", { owner: `ops ${LIST_SECRET}` }), file: "dags/teams/c/delta.ts" },
  { definition: dag("epsilon"), file: "dags/teams/c/epsilon.ts" },
];

/** Plain DAGs `n_000`… in `dags/bulk/` to page through. */
export const BULK = 250;
export const bulkId = (i: number) => `n_${String(i).padStart(3, "0")}`;

export interface DagListApp {
  app: UpdraftApp;
  /** Where the app listens over real HTTP. */
  url: string;
}

/**
 * The daemon's app over real parts (DagRegistry, RunStore on disk, an unstarted Scheduler),
 * listening on 127.0.0.1: gamma's last run failed, delta's runs, beta is paused, epsilon is stale.
 */
export async function dagListApp(cleanup: Cleanup): Promise<DagListApp> {
  const stateDir = await cleanup.tempDir("dag-list");
  const store = await RunStore.open(stateDir);
  const registry = new DagRegistry(new SecretMask([LIST_SECRET]));
  const bulk = Array.from({ length: BULK }, (_, i) => ({
    definition: dag(bulkId(i)),
    file: `dags/bulk/${bulkId(i)}.ts`,
  }));
  const source = { commit: "c0ffee", snapshot: "/snapshots/a", prefix: "" };
  registry.apply(dagSet([...NAMED, ...bulk]), source);
  // epsilon's file now fails to load: it stays, stale, with the error.
  const error = {
    file: "dags/teams/c/epsilon.ts",
    line: 1,
    column: 1,
    kind: "exception" as const,
    message: "boom",
  };
  registry.apply(
    { ...dagSet([...NAMED.filter((d) => d.definition.id !== "epsilon"), ...bulk]), errors: [error] },
    source,
  );
  await store.archive(runOf("gamma", "failed"));
  await store.update((state) => store.addRun(state, runOf("delta", "running")));
  const app = storeApp({ store, registry, stateDir, mask: new SecretMask([LIST_SECRET]) });
  const listener = new HttpListener();
  await listener.listen(app, "127.0.0.1", 0);
  cleanup.defer(() => listener.close());
  return { app, url: listener.url() };
}

function dagSet(dags: Array<{ definition: DagDefinition; file: string }>): DagSet {
  return {
    root: "/repo",
    dags: dags.map(({ definition, file }) => ({ dag: definition, file, line: 1 })),
    errors: [],
    modules: new Map(),
    scans: new Map(),
  };
}

function runOf(dagId: string, state: RunState): Run {
  const definition = NAMED.find((d) => d.definition.id === dagId)?.definition ?? dag(dagId);
  const at = new Date("2026-11-01T00:00:00Z");
  const { definition: _copy, ...run } = newRun(definition, {
    id: `${dagId}__manual__1`,
    trigger: "manual",
    logicalDate: at,
    conf: {},
    commit: null,
    snapshot: "/snapshots/a",
    now: at,
  });
  return {
    ...run,
    state,
    startedAt: at.toISOString(),
    endedAt: state === "failed" ? at.toISOString() : null,
  };
}
