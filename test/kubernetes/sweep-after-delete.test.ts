// bench:kube found it (2,087 deletes for 2,000 Pods): the orphan sweep lists the Pods, then deletes
// them one by one, each waiting for the request budget. A Pod the list held whose own delete
// completed meanwhile (the watch has seen it go) was deleted a second time.
import { describe, expect, it } from "vitest";
import type { V1Pod } from "@kubernetes/client-node";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { KubeExecutorFixture, outcomeOf, podTask } from "./support/executor-fixture.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });
const cleanup = useCleanup();

describe("the orphan sweep", () => {
  it("does not delete again a Pod whose delete completed after the sweep listed it", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    // A Pod a previous daemon kept (onFinish keep): the sweep's first orphan, listed before ours.
    const previous = fixture.executor();
    const orphan = await fixture.launch(podTask({ image: "fake/exit:0", onFinish: "keep" }));
    await previous.executor.start(orphan.launch);
    await outcomeOf(previous.recorder, orphan.key);
    await previous.executor.close();

    const gates = new Map<string, () => void>();
    const held = (name: string) => new Promise<void>((resolve) => gates.set(name, resolve));
    const goneSeen = new Set<string>();
    const ownName = { value: "" };
    const { executor, recorder } = fixture.executor({ tryIsActive: () => false }, undefined, (api) => ({
      ...api,
      // Deletes wait (as for the request budget) until the test lets each go.
      deletePod: async (namespace, name, grace) => {
        const gated = name === podNameFor(orphan.key) || name === ownName.value;
        // Only the first delete of each waits (a second one goes straight to the fake, to be counted).
        if (gated && !gates.has(name)) await held(name);
        return api.deletePod(namespace, name, grace);
      },
      // The API server lists by name: here the orphan comes first, whatever the names hash to.
      listPods: async (namespace, selector) => {
        const listed = await api.listPods(namespace, selector);
        const first = (pod: V1Pod) => (pod.metadata?.name === podNameFor(orphan.key) ? 0 : 1);
        return { ...listed, items: [...listed.items].sort((a, b) => first(a) - first(b)) };
      },
      watchPods: (namespace, query, onEvent, onDone) =>
        api.watchPods(
          namespace,
          query,
          (type, object) => {
            onEvent(type, object);
            if (type === "DELETED") goneSeen.add((object as V1Pod).metadata?.name ?? "");
          },
          onDone,
        ),
    }));
    const own = await fixture.launch(podTask({ image: "fake/exit:0" }));
    ownName.value = podNameFor(own.key);
    await executor.start(own.launch);
    await outcomeOf(recorder, own.key);
    // Our finished Pod's delete waits; the sweep lists both Pods and waits on the orphan's delete.
    await waitFor("our Pod's delete asked for", () => (gates.has(ownName.value) ? true : undefined));
    const sweep = executor.sweep();
    await waitFor("the orphan's delete asked for", () =>
      gates.has(podNameFor(orphan.key)) ? true : undefined,
    );
    // Our delete completes and the watch sees the Pod go; then the sweep goes on to it.
    gates.get(ownName.value)?.();
    await waitFor("our Pod's DELETED event", () => (goneSeen.has(ownName.value) ? true : undefined));
    gates.get(podNameFor(orphan.key))?.();
    expect(await sweep).toBe(1);
    const deletesOf = (name: string) => kube.requests.filter((r) => r.verb === "delete" && r.name === name);
    expect(deletesOf(ownName.value)).toHaveLength(1);
    expect(deletesOf(podNameFor(orphan.key))).toHaveLength(1);
  });
});
