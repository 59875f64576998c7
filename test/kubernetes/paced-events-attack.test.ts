// Issue 17 attack on the Kubernetes executor's paced events (src/executor/paced-delivery.ts): a
// listener that throws on one event of a burst. Unpaced, the throw cost that one event; paced, the
// events after it in the batch went to no listener (tries left running until a sweep), and the
// throw escaped from the pacer's timer (an uncaught exception: the daemon died).
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

/** Which tries' events came. */
const runsOf = (events: ExecutorEvent[]) => events.map((event) => event.key.runId).sort();

describe("the Kubernetes executor's paced events, a listener that throws", () => {
  const cleanup = useCleanup();

  it("one listener throwing on one event of a burst costs no other event, and nothing escapes", async () => {
    const launches = await recordedTries(await cleanup.tempDir("paced-throws"));
    const kube = executor(100);
    const thrown: string[] = [];
    kube.subscribe((event) => {
      // Not the first event (it goes at once, inside start's own try): one of the paced burst.
      if (event.key.runId !== "r0" && thrown.length === 0) {
        thrown.push(event.key.runId);
        throw new Error(`listener failed on ${event.key.runId}`);
      }
    });
    const events: ExecutorEvent[] = [];
    kube.subscribe((event) => events.push(event));
    for (const launch of launches) await kube.start(launch);
    await waitFor("every replayed outcome", () => (events.length >= TRIES ? true : undefined));
    expect(thrown).toHaveLength(1);
    expect(runsOf(events)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    await kube.close();
  });
});
