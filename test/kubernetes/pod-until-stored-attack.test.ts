// Attacks on "the finished Pod is the try's durable record until its outcome is stored" (attack6).
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { KubeExecutorFixture, outcomeOf } from "./support/executor-fixture.ts";
import { createsSince, podOf as podOfIn, unacknowledgedTry } from "./support/unacknowledged-try.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });
const cleanup = useCleanup();

const podOf = (key: TaskKey) => podOfIn(kube, key);

describe("a finished Pod waiting for its acknowledgement (attacks)", () => {
  it("deleted by someone else (or the Pod GC) before the outcome is stored, then a crash: the restart replays the outcome, runs nothing again", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    // The scheduler's writes are refused (disk full): nothing acknowledges.
    const { first, key, launch, mark } = await unacknowledgedTry(fixture, kube);
    const outcome = await outcomeOf(first.recorder, key);
    expect(podOf(key)?.status.phase).toBe("Succeeded");
    // kubectl delete pod, or kube-controller-manager's terminated-Pod GC.
    kube.deletePod("default", podNameFor(key), 0);
    await waitFor("Pod gone", () => (podOf(key) ? undefined : true));
    // The Pod no longer stands for the outcome: once the watch hears it is gone, a record does.
    await waitFor("the outcome recorded", () =>
      existsSync(`${launch.logFile}.outcome.json`) ? true : undefined,
    );
    // kill -9 before the disk takes the write.
    await first.executor.close();

    const second = fixture.executor({ unacknowledged: true });
    await second.executor.start(launch);
    expect(await outcomeOf(second.recorder, key)).toEqual(outcome);
    expect(createsSince(kube, mark), "one create: the try ran once").toEqual([201]);
  });
});
