// The Kubernetes executor hands its events to listeners paced (src/executor/paced-delivery.ts): a
// burst goes as one batch per interval. Nothing emitted may be lost or reordered on the way, also
// not when the daemon stops with events still waiting (close, or the scheduler unsubscribing).
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ExecutorEvent, TaskLaunch } from "../../src/executor/executor.ts";
import { recordOutcome } from "../../src/executor/outcome-record.ts";
import type { KubeApi } from "../../src/kubernetes/kube-api.ts";
import { KubernetesExecutor } from "../../src/kubernetes/kubernetes-executor.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { podTask } from "./support/executor-fixture.ts";

/** An API with no Pods at all: these tries all end from their recorded outcomes. */
const emptyApi = {
  listPods: async () => ({ items: [], resourceVersion: "1" }),
  watchPods: async () => ({ abort: () => undefined }),
} as unknown as KubeApi;

const TRIES = 5;

/** Five tries whose outcomes were recorded before a restart: start() replays each one. */
async function recordedTries(dir: string): Promise<TaskLaunch[]> {
  const task = podTask({ id: "t", image: "busybox" });
  const launches = Array.from({ length: TRIES }, (_, at) => {
    const key = { dagId: "d", runId: `r${at}`, taskId: "t", try: 1 };
    return {
      ...key,
      task,
      command: [],
      args: [],
      env: {},
      snapshot: dir,
      logFile: path.join(dir, `r${at}`, "try-1.log"),
      logicalDate: "2026-05-01T10:00:00.000Z",
    } satisfies TaskLaunch;
  });
  for (const launch of launches) {
    await mkdir(path.dirname(launch.logFile));
    await recordOutcome(launch, {
      type: "failed",
      key: launch,
      exitCode: 7,
      reason: `${launch.runId} failed`,
    });
  }
  return launches;
}

function executor(intervalMs: number) {
  return new KubernetesExecutor({
    api: emptyApi,
    defaultNamespace: "default",
    tryIsActive: () => true,
    eventIntervalMs: intervalMs,
  });
}

/** Which tries' events came (the replays' file reads end in any order; the pacer keeps it: paced-delivery.test.ts). */
const runsOf = (events: ExecutorEvent[]) => events.map((event) => event.key.runId).sort();

describe("the Kubernetes executor's paced events", () => {
  const cleanup = useCleanup();

  it("delivers a burst whole once its interval ends", async () => {
    const launches = await recordedTries(await cleanup.tempDir("paced"));
    const kube = executor(200);
    const events: ExecutorEvent[] = [];
    kube.subscribe((event) => events.push(event));
    for (const launch of launches) await kube.start(launch);
    await waitFor("every replayed outcome", () => (events.length === TRIES ? true : undefined));
    expect(runsOf(events)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    expect(events.find((event) => event.key.runId === "r0")).toMatchObject({
      type: "failed",
      exitCode: 7,
      reason: "r0 failed",
    });
    await kube.close();
  });

  it("delivers what still waits when it closes", async () => {
    const launches = await recordedTries(await cleanup.tempDir("paced-close"));
    // An interval no test waits for: only close() can deliver the rest.
    const kube = executor(600_000);
    const events: ExecutorEvent[] = [];
    kube.subscribe((event) => events.push(event));
    for (const launch of launches) await kube.start(launch);
    await waitFor("the first outcome, at once", () => (events.length > 0 ? true : undefined));
    // The others are replayed (each after a file read) into the pacer, not yet delivered.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toHaveLength(1);
    await kube.close();
    expect(runsOf(events)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
  });

  it("delivers what still waits to a listener that unsubscribes", async () => {
    const launches = await recordedTries(await cleanup.tempDir("paced-unsubscribe"));
    const kube = executor(600_000);
    const events: ExecutorEvent[] = [];
    const unsubscribe = kube.subscribe((event) => events.push(event));
    for (const launch of launches) await kube.start(launch);
    await waitFor("the first outcome, at once", () => (events.length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    unsubscribe();
    expect(runsOf(events)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    await kube.close();
  });
});
