// The shared Pod watch reads a line's type and Pod name without parsing the whole Pod, and skips
// the events of Pods no try waits on (a finished Pod's delete: two of its five or six events).
// Only a line whose start is unambiguous is read so; anything else is parsed as before.
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { peekWatchEvent } from "../../src/kubernetes/watch-event-peek.ts";
import { PodWatcher } from "../../src/kubernetes/pod-watcher.ts";
import type { KubeApi } from "../../src/kubernetes/kube-api.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { KubeExecutorFixture, outcomeOf, podTask } from "./support/executor-fixture.ts";

const line = (event: unknown) => JSON.stringify(event);

describe("peekWatchEvent", () => {
  it("reads the type and name of the API server's lines (kind, apiVersion, then metadata with its name first)", () => {
    const pod = { kind: "Pod", apiVersion: "v1", metadata: { name: "p-1", namespace: "jobs" }, spec: {} };
    expect(peekWatchEvent(line({ type: "MODIFIED", object: pod }))).toEqual({
      type: "MODIFIED",
      name: "p-1",
    });
    expect(peekWatchEvent(line({ type: "DELETED", object: pod }))).toEqual({ type: "DELETED", name: "p-1" });
    const fakeOrder = { apiVersion: "v1", kind: "Pod", metadata: { name: "p-2" } };
    expect(peekWatchEvent(line({ type: "ADDED", object: fakeOrder }))).toEqual({
      type: "ADDED",
      name: "p-2",
    });
  });

  it.each([
    ["a bookmark", { type: "BOOKMARK", object: { kind: "Pod", metadata: { name: "p" } } }],
    ["an error", { type: "ERROR", object: { kind: "Status", code: 410 } }],
    [
      "metadata without its name first",
      { type: "MODIFIED", object: { metadata: { namespace: "n", name: "p" } } },
    ],
    [
      "a nested metadata before the object's own",
      {
        type: "MODIFIED",
        object: {
          spec: { volumes: [{ ephemeral: { volumeClaimTemplate: { metadata: { name: "claim" } } } }] },
          metadata: { name: "p" },
        },
      },
    ],
    [
      "another field before metadata",
      { type: "MODIFIED", object: { kind: "Pod", status: {}, metadata: { name: "p" } } },
    ],
    ["a name with an escape", { type: "MODIFIED", object: { metadata: { name: 'p"q' } } }],
    ["the type second", { object: { metadata: { name: "p" } }, type: "MODIFIED" }],
  ])("leaves %s to the parser", (_case, event) => {
    expect(peekWatchEvent(line(event))).toBeUndefined();
  });

  it("is not fooled by the pattern inside a string value", () => {
    const text = line({
      type: "MODIFIED",
      object: { kind: '","metadata":{"name":"evil', metadata: { name: "p" } },
    });
    expect(peekWatchEvent(text)).toBeUndefined();
  });
});

describe("the shared Pod watch", () => {
  const kube = useFakeKubeServer({ namespaces: ["default"] });
  const cleanup = useCleanup();

  it("does not parse a finished Pod's delete events, and still knows the Pod is gone", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const parsed: Array<[string, string]> = [];
    const skipped: string[] = [];
    const { executor, recorder } = fixture.executor({}, undefined, (api) => ({
      ...api,
      watchPods: (namespace, query, onEvent, onDone, skip) =>
        api.watchPods(
          namespace,
          query,
          (type, object) => {
            parsed.push([type, (object as V1Pod).metadata?.name ?? ""]);
            onEvent(type, object);
          },
          onDone,
          skip && ((text) => (skip(text) ? (skipped.push(text), true) : false)),
        ),
    }));
    const { key, launch } = await fixture.launch(podTask({ image: "fake/exit:0" }));
    await executor.start(launch);
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    const name = podNameFor(key);
    await waitFor("the Pod's DELETED event", () =>
      skipped.some((text) => peekWatchEvent(text)?.type === "DELETED") ? true : undefined,
    );
    // Parsed while the try ran, up to its end; the delete's events only peeked at.
    expect(parsed.map(([, pod]) => pod).every((pod) => pod === name)).toBe(true);
    expect(parsed.length).toBeGreaterThanOrEqual(2);
    expect(skipped.map((text) => peekWatchEvent(text))).toContainEqual({ type: "DELETED", name });
    expect(skipped.every((text) => peekWatchEvent(text)?.name === name)).toBe(true);
  });

  it("keeps its known set and onGone from the skipped lines", async () => {
    const gone: string[] = [];
    let send: (text: string) => boolean = () => false;
    const api = {
      listPods: async () => ({ items: [], resourceVersion: "1" }),
      watchPods: async (
        _ns: string,
        _q: unknown,
        _onEvent: unknown,
        _onDone: unknown,
        skip?: (text: string) => boolean,
      ) => {
        send = (text) => skip?.(text) ?? false;
        return { abort: () => undefined };
      },
    } as unknown as KubeApi;
    const watcher = new PodWatcher(api, {
      namespace: "default",
      labelSelector: "a=b",
      relistMs: 60_000,
      onPod: () => {
        throw new Error("a skipped line reached onPod");
      },
      onGone: (name) => gone.push(name),
      wants: (name) => name === "tracked",
    });
    await watcher.start();
    cleanup.defer(() => watcher.stop());
    const pod = (name: string) => ({ kind: "Pod", apiVersion: "v1", metadata: { name } });
    expect(send(line({ type: "ADDED", object: pod("other") }))).toBe(true);
    expect(watcher.knows("other")).toBe(true);
    expect(send(line({ type: "MODIFIED", object: pod("tracked") }))).toBe(false);
    expect(send(line({ type: "DELETED", object: pod("other") }))).toBe(true);
    expect(watcher.knows("other")).toBe(false);
    expect(gone).toEqual(["other"]);
  });
});
