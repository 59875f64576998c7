// A finished try's Pod is its durable record until the scheduler has stored the outcome
// (`KubernetesExecutor.stored`): deleted only then, so a crash finds the outcome in state or the
// Pod to adopt, and a try never runs twice. No outcome record is written for it any more (nine file
// operations and two fsyncs per try); a cancelled try, whose Pod the cancel deletes before its
// outcome is stored, still gets one.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { readLog, waitForLog } from "../executor/executor-contract.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { KubeExecutorFixture, nodeScript, outcomeOf, podTask } from "./support/executor-fixture.ts";
import { createsSince, podOf as podOfIn, ranTask, unacknowledgedTry } from "./support/unacknowledged-try.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });
const cleanup = useCleanup();

const deletesOf = (key: TaskKey) =>
  kube.requests.filter((r) => r.verb === "delete" && r.name === podNameFor(key));
const podOf = (key: TaskKey) => podOfIn(kube, key);
const podGone = (key: TaskKey) =>
  waitFor(`Pod ${podNameFor(key)} gone`, () => (podOf(key) ? undefined : true));

/** Gives a cleanup sent right after the outcome every chance to come: a whole second try, acknowledged. */
async function controlTry(fixture: KubeExecutorFixture): Promise<void> {
  const control = fixture.executor();
  const { key, launch } = await fixture.launch(podTask({ image: "fake/exit:0" }));
  await control.executor.start(launch);
  await outcomeOf(control.recorder, key);
  await podGone(key);
}

describe("a finished Pod until its outcome is stored", () => {
  it("stays (also through a sweep that finds its try no longer active) until stored, then is deleted once", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    // No longer active: the outcome is applied in memory while its write is under way.
    const { executor, recorder } = fixture.executor({ unacknowledged: true, tryIsActive: () => false });
    const { key, launch } = await fixture.launch(ranTask());
    await executor.start(launch);
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", result: { value: { n: 1 } } });
    await controlTry(fixture);
    expect(await executor.sweep()).toBe(0);
    expect(podOf(key)?.status.phase).toBe("Succeeded");
    expect(deletesOf(key)).toEqual([]);
    // No outcome record: the Pod stands for it.
    expect(existsSync(`${launch.logFile}.outcome.json`)).toBe(false);

    executor.stored([key]);
    await podGone(key);
    expect(deletesOf(key)).toHaveLength(1);
  });

  it("after a crash before the outcome was stored: the restart adopts the Pod, reports the outcome once, runs nothing again", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { first, key, launch, mark } = await unacknowledgedTry(fixture, kube);
    const outcome = await outcomeOf(first.recorder, key);
    // The daemon dies (its executor goes with it) before the scheduler's write.
    await first.executor.close();
    expect(podOf(key), "the Pod outlives the executor").toBeDefined();

    const second = fixture.executor({ unacknowledged: true });
    await second.executor.start(launch);
    expect(await outcomeOf(second.recorder, key)).toEqual(outcome);
    expect(second.recorder.of(key).filter((event) => event.type !== "running")).toEqual([outcome]);
    // The first create only: the restart found the Pod in its watch's first list and adopted it.
    expect(createsSince(kube, mark)).toEqual([201]);
    expect((await readLog(launch.logFile)).match(/^ran$/gm)).toEqual(["ran"]);

    second.executor.stored([key]);
    await podGone(key);
    expect(deletesOf(key)).toHaveLength(1);
  });

  it("after a crash once the outcome was stored, before the delete: nothing starts it again, the sweep deletes the Pod", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { first, key, mark } = await unacknowledgedTry(fixture, kube);
    await outcomeOf(first.recorder, key);
    await first.executor.close();

    // State holds the outcome: the scheduler does not start the try; the sweep judges its Pod.
    const second = fixture.executor({ tryIsActive: (k) => k.runId !== key.runId });
    const other = await fixture.launch(podTask({ image: "fake/exit:0" }));
    await second.executor.start(other.launch);
    // It printed nothing: no result (its empty log is not even read).
    expect(await outcomeOf(second.recorder, other.key)).toMatchObject({
      type: "finished",
      result: { present: false },
    });
    expect(await second.executor.sweep()).toBe(1);
    await podGone(key);
    // Ours and the other try's.
    expect(createsSince(kube, mark)).toEqual([201, 201]);
  });

  it("a cancelled try's outcome is still recorded (the cancel deleted its Pod) and replayed after a restart", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const first = fixture.executor({ unacknowledged: true });
    const { key, launch } = await fixture.launch(
      podTask({ command: nodeScript("console.log('working'); setInterval(() => {}, 1000);") }),
    );
    const mark = kube.requests.length;
    await first.executor.start(launch);
    await waitForLog(launch.logFile, "working");
    await first.executor.cancel(key, "timed out after 1s (timeout)");
    const outcome = await outcomeOf(first.recorder, key);
    expect(outcome).toMatchObject({ type: "failed", reason: "timed out after 1s (timeout)" });
    await podGone(key);
    await first.executor.close();

    const second = fixture.executor({ unacknowledged: true });
    await second.executor.start(launch);
    expect(await outcomeOf(second.recorder, key)).toEqual(outcome);
    expect(second.recorder.of(key)).toEqual([outcome]);
    expect(createsSince(kube, mark)).toEqual([201]);
    expect(existsSync(`${launch.logFile}.outcome.json`)).toBe(true);
  });
});
