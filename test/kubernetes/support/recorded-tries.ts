import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { TaskLaunch } from "../../../src/executor/executor.ts";
import { recordOutcome } from "../../../src/executor/outcome-record.ts";
import type { KubeApi } from "../../../src/kubernetes/kube-api.ts";
import { KubernetesExecutor } from "../../../src/kubernetes/kubernetes-executor.ts";
import { podTask } from "./executor-fixture.ts";

/** An API with no Pods at all: these tries all end from their recorded outcomes. */
const emptyApi = {
  listPods: async () => ({ items: [], resourceVersion: "1" }),
  watchPods: async () => ({ abort: () => undefined }),
} as unknown as KubeApi;

export const TRIES = 5;

/** Five tries whose outcomes were recorded before a restart: start() replays each one. */
export async function recordedTries(dir: string): Promise<TaskLaunch[]> {
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

/** A Kubernetes executor on the empty API whose events are paced every `intervalMs`. */
export function pacedExecutor(intervalMs: number): KubernetesExecutor {
  return new KubernetesExecutor({
    api: emptyApi,
    defaultNamespace: "default",
    tryIsActive: () => true,
    eventIntervalMs: intervalMs,
  });
}
