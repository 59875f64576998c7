// Issue 14 point 7 (bench:kube found it): under a request budget a finished Pod's delete may wait
// its turn; the orphan sweep running meanwhile must not ask to delete the same Pod a second time.
import { describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { KubeExecutorFixture, nodeScript, outcomeOf, podTask } from "./support/executor-fixture.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });
const cleanup = useCleanup();

describe("the orphan sweep", () => {
  it("skips a Pod whose delete this executor asked for and has not heard back about", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    let releaseDelete: () => void = () => undefined;
    let deleteCalls = 0;
    const deleteHeld = new Promise<void>((resolve) => (releaseDelete = resolve));
    const { executor, recorder } = fixture.executor(
      // The try is over for the scheduler as soon as it finished: the sweep may judge its Pod.
      { tryIsActive: () => false },
      undefined,
      (api) => ({
        ...api,
        // The finished Pod's delete waits (as for a token of a busy request budget).
        deletePod: async (namespace, name, grace) => {
          deleteCalls += 1;
          await deleteHeld;
          return api.deletePod(namespace, name, grace);
        },
      }),
    );
    const { key, launch } = await fixture.launch(podTask({ command: nodeScript("console.log('done')") }));
    await executor.start(launch);
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    const name = podNameFor(key);
    const deletes = () =>
      kube.requests.filter((r) => r.method === "DELETE" && r.path.endsWith(`/pods/${name}`)).length;
    // The cleanup's delete is waiting (asked for, not answered); a sweep now lists the Pod still there.
    await waitFor("the cleanup's delete asked for", () => (deleteCalls === 1 ? true : undefined));
    const outcome = await Promise.race([
      executor.sweep().then(() => "the sweep finished"),
      waitFor("a second delete asked for", () => (deleteCalls > 1 ? "a second delete" : undefined)),
    ]);
    expect(outcome).toBe("the sweep finished");
    releaseDelete();
    await waitFor("the finished Pod gone", () =>
      kube.pod("default", name) === undefined ? true : undefined,
    );
    expect(deletes()).toBe(1);
  });
});
