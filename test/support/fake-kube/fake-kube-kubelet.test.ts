import { PatchStrategy, setHeaderOptions, Watch, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { waitFor } from "../wait-for.ts";
import { apiError, podOf, terminated, useFakeKube, waitForPod, waitingReason } from "./fake-kube-fixture.ts";
import type { Pod } from "./types.ts";

const NS = "default";
const FOREVER = "setInterval(() => {}, 1000)";

describe("the simulated kubelet", () => {
  const fake = useFakeKube({ timings: { retryMs: 50 } });
  const create = (body: V1Pod) => fake.core.createNamespacedPod({ namespace: NS, body });
  const eventsOf = (name: string) => fake.kube.events(NS, name).map((e) => `${e.reason}: ${e.message}`);

  it("deletes gracefully: deletionTimestamp, SIGTERM, Killing, the final status, then DELETED", async () => {
    const trap = `process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); console.log('up'); ${FOREVER}`;
    await create(podOf("grace", ["node", "-e", trap]));
    await waitFor("up", () => (fake.kube.logOf(NS, "grace")?.includes("up") ? true : undefined));
    const seen: Array<{ type: string; pod: Pod }> = [];
    const controller = await new Watch(fake.kube.kubeConfig()).watch(
      `/api/v1/namespaces/${NS}/pods`,
      { fieldSelector: "metadata.name=grace" },
      (type, pod: Pod) => seen.push({ type, pod }),
      () => {},
    );
    await fake.core.deleteNamespacedPod({ namespace: NS, name: "grace", body: { gracePeriodSeconds: 10 } });
    await waitFor("DELETED", () => seen.find((e) => e.type === "DELETED"));
    controller.abort();
    const marked = seen.find((e) => e.type === "MODIFIED" && e.pod.metadata.deletionTimestamp);
    expect(marked?.pod.metadata.deletionGracePeriodSeconds).toBe(10);
    const last = seen.at(-1)?.pod;
    expect(last && terminated(last)).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(last?.status.phase).toBe("Succeeded");
    expect(eventsOf("grace")).toContain("Killing: Stopping container base");
  });

  it("SIGKILLs a container that ignores SIGTERM once the grace period is over", async () => {
    await create(
      podOf("stubborn", ["node", "-e", `process.on('SIGTERM', () => {}); console.log('up'); ${FOREVER}`]),
    );
    await waitFor("up", () => (fake.kube.logOf(NS, "stubborn")?.includes("up") ? true : undefined));
    const started = Date.now();
    fake.kube.deletePod(NS, "stubborn", 1);
    await waitFor("the pod gone", () => (fake.kube.pod(NS, "stubborn") ? undefined : true));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.kube.runningContainers).toBe(0);
  });

  it("reports OOMKilled with exit code 137 for fake/oom", async () => {
    await create(podOf("oom", undefined, { image: "fake/oom:1" }));
    const pod = await waitForPod(fake.kube, "oom", (p) => p.status.phase === "Failed");
    expect(terminated(pod)).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
  });

  it("runs fake/exit:<code> without a command, and reports a missing executable as StartError", async () => {
    await create(podOf("exit7", undefined, { image: "fake/exit:7" }));
    await create(podOf("noexec", ["no-such-binary-here"]));
    expect(
      terminated(await waitForPod(fake.kube, "exit7", (p) => p.status.phase === "Failed"))?.exitCode,
    ).toBe(7);
    const noexec = await waitForPod(fake.kube, "noexec", (p) => p.status.phase === "Failed");
    expect(terminated(noexec)).toMatchObject({ exitCode: 128, reason: "StartError" });
    expect(terminated(noexec)?.message).toContain(
      'exec: "no-such-binary-here": executable file not found in $PATH',
    );
  });

  it.each([
    [
      "a nodeSelector no node has",
      { nodeSelector: { disktype: "ssd" } },
      "didn't match Pod's node affinity/selector",
    ],
    ["fake/unschedulable", { image: "fake/unschedulable:1" }, "didn't match Pod's node affinity/selector"],
  ])(
    "leaves a pod with %s Pending and Unschedulable, with FailedScheduling events",
    async (_case, extra, why) => {
      await create(podOf("nowhere", ["true"], extra));
      const pod = await waitForPod(
        fake.kube,
        "nowhere",
        (p) => p.status.conditions?.[0]?.reason === "Unschedulable",
      );
      expect(pod.status.phase).toBe("Pending");
      expect(pod.spec.nodeName).toBeUndefined();
      expect(pod.status.conditions?.[0]).toMatchObject({ type: "PodScheduled", status: "False" });
      expect(pod.status.conditions?.[0]?.message).toContain(why);
      await waitFor("a repeated FailedScheduling", () =>
        fake.kube.events(NS, "nowhere").find((e) => e.reason === "FailedScheduling" && e.count > 1),
      );
    },
  );

  it("does not schedule a pod that requests more CPU than the node has", async () => {
    const body = podOf("big", ["true"]);
    body.spec!.containers[0]!.resources = { requests: { cpu: "5000" } };
    await create(body);
    const pod = await waitForPod(
      fake.kube,
      "big",
      (p) => p.status.conditions?.[0]?.reason === "Unschedulable",
    );
    expect(pod.status.conditions?.[0]?.message).toContain("1 Insufficient cpu");
  });

  it.each([
    ["an uppercase image", "Busybox:1", "InvalidImageName"],
    ["fake/never-pull", "fake/never-pull:1", "ErrImageNeverPull"],
    ["fake/config-error", "fake/config-error:1", "CreateContainerConfigError"],
  ])("keeps a container with %s (%s) waiting with reason %s", async (_case, image, reason) => {
    await create(podOf("wait", ["true"], { image }));
    const pod = await waitForPod(fake.kube, "wait", (p) => waitingReason(p) === reason);
    expect(pod.status.phase).toBe("Pending");
    expect(pod.status.containerStatuses?.[0]?.state.waiting?.message).toBeTruthy();
  });

  it("fails container config for a missing secret and mounts for a missing config map", async () => {
    const env = podOf("env", ["true"]);
    env.spec!.containers[0]!.env = [
      { name: "PW", valueFrom: { secretKeyRef: { name: "missing-secret", key: "pw" } } },
    ];
    const mount = podOf("mount", ["true"], {
      volumes: [{ name: "cfg", configMap: { name: "missing-cfg" } }],
    });
    mount.spec!.containers[0]!.volumeMounts = [{ name: "cfg", mountPath: "/etc/cfg" }];
    await create(env);
    await create(mount);
    const envPod = await waitForPod(
      fake.kube,
      "env",
      (p) => waitingReason(p) === "CreateContainerConfigError",
    );
    expect(envPod.status.containerStatuses?.[0]?.state.waiting?.message).toBe(
      'secret "missing-secret" not found',
    );
    await waitFor("FailedMount", () => fake.kube.events(NS, "mount").find((e) => e.reason === "FailedMount"));
    expect(eventsOf("mount")).toContain(
      'FailedMount: MountVolume.SetUp failed for volume "cfg" : configmap "missing-cfg" not found',
    );
    expect(waitingReason(fake.kube.pod(NS, "mount")!)).toBe("ContainerCreating");
  });

  it("evicts a running pod: Failed, reason Evicted, container killed", async () => {
    await create(podOf("evictee", ["node", "-e", FOREVER]));
    await waitForPod(fake.kube, "evictee", (p) => p.status.phase === "Running");
    fake.kube.evict(NS, "evictee");
    const pod = await waitForPod(
      fake.kube,
      "evictee",
      (p) => p.status.phase === "Failed" && terminated(p) !== undefined,
    );
    expect(pod.status).toMatchObject({ reason: "Evicted" });
    expect(pod.status.message).toContain("low on resource: memory");
    expect(pod.status.conditions?.[0]).toMatchObject({ type: "DisruptionTarget", status: "True" });
    expect(terminated(pod)?.exitCode).toBe(137);
    expect(eventsOf("evictee").some((e) => e.startsWith("Evicted:"))).toBe(true);
  });

  it("fails a pod past its activeDeadlineSeconds with DeadlineExceeded", async () => {
    await create(podOf("late", ["node", "-e", FOREVER], { activeDeadlineSeconds: 1 }));
    const pod = await waitForPod(
      fake.kube,
      "late",
      (p) => p.status.reason === "DeadlineExceeded" && terminated(p) !== undefined,
    );
    expect(pod.status.phase).toBe("Failed");
  });

  it("restarts a failing container under OnFailure, keeping the previous instance's log", async () => {
    await create(
      podOf("crash", ["node", "-e", "console.log('attempt'); process.exit(2)"], {
        restartPolicy: "OnFailure",
      }),
    );
    const pod = await waitForPod(
      fake.kube,
      "crash",
      (p) => (p.status.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
    );
    expect(pod.status.phase).toBe("Running");
    expect(pod.status.containerStatuses?.[0]?.lastState.terminated?.exitCode).toBe(2);
    const previous = await fake.core.readNamespacedPodLog({ namespace: NS, name: "crash", previous: true });
    expect(previous).toBe("attempt\n");
    expect(
      eventsOf("crash").some((e) => e.startsWith("BackOff: Back-off restarting failed container base")),
    ).toBe(true);
  });

  it("gives the process the pod's env with $(VAR) expansion and field references, and passes a result line through", async () => {
    const script =
      "console.log(process.env.GREETING, process.argv[1], process.env.POD); console.log('::updraft-result::' + JSON.stringify({ n: 1 }))";
    const body = podOf("env-ok", ["node", "-e", script]);
    body.spec!.containers[0]!.args = ["$(GREETING)!"];
    body.spec!.containers[0]!.env = [
      { name: "WHO", value: "world" },
      { name: "GREETING", value: "hello-$(WHO)" },
      { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    ];
    await create(body);
    await waitForPod(fake.kube, "env-ok", (p) => p.status.phase === "Succeeded");
    expect(await fake.core.readNamespacedPodLog({ namespace: NS, name: "env-ok" })).toBe(
      'hello-world hello-world! env-ok\n::updraft-result::{"n":1}\n',
    );
  });

  it("kills running container processes on close", async () => {
    await create(podOf("orphan", ["node", "-e", `console.log(process.pid); ${FOREVER}`]));
    const pid = await waitFor("the pid", () => Number(fake.kube.logOf(NS, "orphan")?.trim()) || undefined);
    expect(() => process.kill(pid, 0)).not.toThrow();
    await fake.kube.close();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe("pod updates", () => {
  const fake = useFakeKube();

  it("lets labels change and refuses a spec change with 422", async () => {
    await fake.core.createNamespacedPod({ namespace: NS, body: podOf("u", ["node", "-e", FOREVER]) });
    const patched = await fake.core.patchNamespacedPod({
      namespace: NS,
      name: "u",
      body: [{ op: "add", path: "/metadata/labels", value: { done: "yes" } }],
    });
    expect(patched.metadata?.labels).toEqual({ done: "yes" });
    const merged = await fake.core.patchNamespacedPod(
      { namespace: NS, name: "u", body: { metadata: { annotations: { note: "x" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.annotations).toEqual({ note: "x" });
    // Read once the kubelet has settled, or the PUT would rightly meet 409 over a newer status.
    await waitForPod(fake.kube, "u", (p) => p.status.phase === "Running");
    const current = await fake.core.readNamespacedPod({ namespace: NS, name: "u" });
    current.spec!.restartPolicy = "Always";
    const { code, status } = await apiError(
      fake.core.replaceNamespacedPod({ namespace: NS, name: "u", body: current }),
    );
    expect(code).toBe(422);
    expect(status.message).toContain("pod updates may not change fields other than");
  });
});
