import type { TaskKey } from "../../../src/executor/executor.ts";
import { podNameFor } from "../../../src/kubernetes/pod-names.ts";
import type { FakeKube } from "../../support/fake-kube/fake-kube.ts";
import { type KubeExecutorFixture, nodeScript, podTask } from "./executor-fixture.ts";

/** A task that prints a line and publishes a result. */
export const ranTask = () =>
  podTask({ command: nodeScript("console.log('ran'); console.log('::updraft-result::{\"n\":1}')") });

/** The answers to Pod creates since `from` (an index into the fake's request journal). */
export const createsSince = (kube: FakeKube, from: number) =>
  kube.requests
    .slice(from)
    .filter((r) => r.verb === "create" && r.resource === "pods")
    .map((r) => r.code);

export const podOf = (kube: FakeKube, key: TaskKey) => kube.pod("default", podNameFor(key));

/**
 * A try started by an executor nothing acknowledges (the scheduler's write is not durable yet),
 * with `mark`, the fake's request journal's length before the try's create.
 */
export async function unacknowledgedTry(
  fixture: KubeExecutorFixture,
  kube: FakeKube,
  task: ReturnType<typeof podTask> = ranTask(),
) {
  const first = fixture.executor({ unacknowledged: true });
  const { key, launch } = await fixture.launch(task);
  const mark = kube.requests.length;
  await first.executor.start(launch);
  return { first, key, launch, mark };
}
