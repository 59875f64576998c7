// Issue 14 point 3 (runtime): the try is the task container's ("base"), whatever else runs in its
// Pod. A native sidecar or an injected istio-proxy that keeps running after base has exited must not
// keep the try (or the Pod) around; an init container that fails fails the try with its name, exit
// code and last log lines. Until buildPod emits initContainers/sidecars, the containers are added
// to the Pod on its way to the API (the executor's `editPod`), or injected by the fake's admission.
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { readLog } from "../executor/executor-contract.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { KubeExecutorFixture, nodeScript, outcomeOf, podTask } from "./support/executor-fixture.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });
const cleanup = useCleanup();
const MESH = "mesh";

beforeAll(async () => {
  // A namespace where the fake's mutating admission injects istio-proxy into every new Pod.
  await new KubeExecutorFixture(kube, cleanup)
    .core()
    .createNamespace({ body: { metadata: { name: MESH, labels: { "istio-injection": "enabled" } } } });
});

/** A container that logs, then runs until SIGTERM (then exits 0), like a log shipper or a proxy. */
const serving = (name: string, extra: Partial<V1Container> = {}): V1Container => ({
  name,
  image: "node:20",
  command: nodeScript(
    `process.on('SIGTERM', () => process.exit(0)); console.log('${name} is up'); setInterval(() => console.log('${name} still here'), 20);`,
  ),
  ...extra,
});

/** The Pod with these init containers (native sidecars when `restartPolicy: Always`) before its own. */
const withInit =
  (...containers: V1Container[]) =>
  (pod: V1Pod): V1Pod => ({ ...pod, spec: { ...pod.spec!, initContainers: containers } });

const sidecar = (name: string) => serving(name, { restartPolicy: "Always" });

/** base waits a little, so the other containers log first, then prints its result and exits. */
const baseExiting = (code: number) => podTask(baseFields(code));

const podGone = (key: TaskKey, namespace = "default") =>
  waitFor(`Pod ${podNameFor(key)} gone`, () => (kube.pod(namespace, podNameFor(key)) ? undefined : true));

const reasonOf = (event: { type: string; reason?: string }) => (event.type === "failed" ? event.reason : "");

describe("a native sidecar still running after base exits", () => {
  it("base exits 0: the try is finished with base's result and log, the Pod deleted", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor({}, withInit(sidecar("shipper")));
    const { key, launch } = await fixture.launch(baseExiting(0));
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key, 15_000);
    expect(outcome).toMatchObject({
      type: "finished",
      exitCode: 0,
      result: { present: true, value: { rows: 3 } },
    });
    const log = await readLog(launch.logFile);
    expect(log).toContain("base line");
    expect(log).not.toContain("shipper");
    await podGone(key);
  });

  it("base exits 4: the try fails with exit code 4, the Pod deleted", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor({}, withInit(sidecar("shipper")));
    const { key, launch } = await fixture.launch(baseExiting(4));
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key, 15_000);
    expect(outcome).toMatchObject({ type: "failed", exitCode: 4, reason: "exit code 4" });
    await podGone(key);
  });
});

describe("an injected istio-proxy container (namespace labelled istio-injection=enabled)", () => {
  it("base exits 0 while istio-proxy runs on: finished with base's result, the Pod deleted", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(podTask({ ...baseFields(0), namespace: MESH }));
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key, 15_000);
    expect(outcome).toMatchObject({
      type: "finished",
      exitCode: 0,
      result: { present: true, value: { rows: 3 } },
    });
    const log = await readLog(launch.logFile);
    expect(log).toContain("base line");
    expect(log).not.toContain("istio-proxy");
    // Every log request named the task container: with two containers there is no default.
    const logReads = kube.requests.filter((r) => r.resource === "pods/log" && r.name === podNameFor(key));
    expect(logReads.length).toBeGreaterThan(0);
    expect(logReads.map((r) => r.query.container)).toEqual(logReads.map(() => "base"));
    await podGone(key, MESH);
  });

  it("base exits 2 with onFinish keep: the try fails with exit code 2, the Pod stays Running", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(
      podTask({ ...baseFields(2), namespace: MESH, onFinish: "keep" }),
    );
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key, 15_000);
    expect(outcome).toMatchObject({ type: "failed", exitCode: 2, reason: "exit code 2" });
    const pod = kube.pod(MESH, podNameFor(key));
    expect(pod?.spec.containers.map((c) => c.name)).toEqual(["base", "istio-proxy"]);
    // Kept as the policy says: the proxy still runs, so the Pod is still Running; the try is over.
    expect(pod?.status.phase).toBe("Running");
    kube.deletePod(MESH, podNameFor(key), 0);
    await podGone(key, MESH);
  });
});

describe("init containers", () => {
  it("a failing init container fails the try with its name, exit code and last log lines", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const migrate: V1Container = {
      name: "migrate",
      image: "node:20",
      command: nodeScript(
        "for (let i = 1; i <= 30; i++) console.log('migration step ' + i); console.error('relation \"jobs\" already exists'); process.exit(3);",
      ),
    };
    const { executor, recorder } = fixture.executor({}, withInit(migrate));
    const { key, launch } = await fixture.launch(baseExiting(0));
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key, 15_000);
    expect(outcome).toMatchObject({ type: "failed", exitCode: 3 });
    const reason = reasonOf(outcome) ?? "";
    expect(reason).toMatch(/^init container "migrate" failed with exit code 3: /);
    expect(reason).toContain('relation "jobs" already exists');
    expect(reason).toContain("migration step 30");
    // The tail, not the whole log.
    expect(reason).not.toContain("migration step 1\n");
    expect(await readLog(launch.logFile)).not.toContain("base line");
    await podGone(key);
  });

  it("an init container whose image cannot be pulled: failed after startupTimeout naming it and why", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const fetch: V1Container = { name: "fetch", image: "fake/pull-error:1" };
    const { executor, recorder } = fixture.executor({}, withInit(fetch));
    const { key, launch } = await fixture.launch({ ...baseExiting(0), startupTimeoutMs: 1500 });
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key, 15_000);
    expect(outcome).toMatchObject({ type: "failed", exitCode: null });
    expect(reasonOf(outcome)).toMatch(
      /^the pod did not start within 2s \(startupTimeout\): init container "fetch": (ErrImagePull|ImagePullBackOff): /,
    );
    expect(recorder.of(key).map((e) => e.type)).toEqual(["failed"]);
  });

  it("an init container with an image never to be pulled fails the try at once, naming it", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const fetch: V1Container = { name: "fetch", image: "fake/never-pull:1" };
    const { executor, recorder } = fixture.executor({}, withInit(fetch));
    const { key, launch } = await fixture.launch({ ...baseExiting(0), startupTimeoutMs: 600_000 });
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key, 15_000);
    expect(reasonOf(outcome)).toMatch(
      /^init container "fetch": ErrImageNeverPull: Container image "fake\/never-pull:1" is not present/,
    );
  });

  it("init containers that succeed, then a sidecar: the try is base's", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const prepare: V1Container = {
      name: "prepare",
      image: "node:20",
      command: nodeScript("console.log('prepared'); process.exit(0);"),
    };
    const { executor, recorder } = fixture.executor({}, withInit(prepare, sidecar("shipper")));
    const { key, launch } = await fixture.launch(baseExiting(0));
    await executor.start(launch);
    expect(await outcomeOf(recorder, key, 15_000)).toMatchObject({ type: "finished", exitCode: 0 });
    const log = await readLog(launch.logFile);
    expect(log).toContain("base line");
    expect(log).not.toContain("prepared");
    expect(log).not.toContain("shipper");
  });
});

/** The fields of `baseExiting(code)`, for tasks that need more of them. */
function baseFields(code: number): Record<string, unknown> {
  return {
    command: nodeScript(
      `setTimeout(() => { console.log('base line'); console.log('::updraft-result::{"rows":3}'); process.exit(${code}); }, 200);`,
    ),
  };
}
