import type { TaskKey } from "../../../src/executor/executor.ts";
import type { Run } from "../../../src/runs/run-model.ts";
import type { StateWriter } from "../../../src/store/durable-write.ts";
import type { Cleanup } from "../../support/cleanup.ts";
import { dag, type Harness, pod, schedulerHarness } from "../harness.ts";

/** a → b, and c on its own: a try's end queues the next one. */
export const chain = dag("chain", { tasks: [pod("a"), pod("b", { dependsOn: ["a"] }), pod("c")] });

export const chainKey = (runId: string, taskId: string): TaskKey => ({
  dagId: "chain",
  runId,
  taskId,
  try: 1,
});

/** A started scheduler over `chain`, writing through `writer`, with one manual run triggered and settled. */
export async function triggeredChain(
  cleanup: Cleanup,
  harnesses: Harness[],
  name: string,
  writer: StateWriter,
): Promise<{ h: Harness; run: Run }> {
  const h = await schedulerHarness({
    stateDir: await cleanup.tempDir(name),
    dags: [chain],
    writer,
    maxSleepMs: 5_000,
  });
  harnesses.push(h);
  await h.start();
  const run = await h.scheduler.trigger("chain", {});
  await h.settle();
  return { h, run };
}
