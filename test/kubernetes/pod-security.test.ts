// Issue 14 point 2 through the executor and the official client: a namespace enforcing Pod Security
// "restricted" refuses a plain task at once, with the API's message; a task that sets the
// restricted security contexts runs there.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readPodTemplate } from "../../src/kubernetes/pod-template.ts";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { KubeExecutorFixture, nodeScript, outcomeOf, podTask } from "./support/executor-fixture.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });
const cleanup = useCleanup();

async function restrictedNamespace(fixture: KubeExecutorFixture, name: string): Promise<void> {
  const core = fixture.core();
  const exists = await core.readNamespace({ name }).then(
    () => true,
    () => false,
  );
  if (exists) return;
  await core.createNamespace({
    body: { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
  });
}

describe("a namespace enforcing Pod Security restricted", () => {
  it("fails a plain task's try at once with the admission message, creating no Pod and retrying nothing", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    await restrictedNamespace(fixture, "secure");
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(podTask({ namespace: "secure", command: ["true"] }));
    const creates = () =>
      kube.requests.filter((r) => r.method === "POST" && r.path.includes("/namespaces/secure/pods")).length;
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key);
    expect(outcome).toMatchObject({
      type: "failed",
      exitCode: null,
      reason: `Kubernetes refused the pod: pods "${podNameFor(key)}" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "base" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "base" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "base" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "base" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
    });
    expect(recorder.of(key).map((e) => e.type)).toEqual(["failed"]);
    expect(creates()).toBe(1);
    expect(kube.pod("secure", podNameFor(key))).toBeUndefined();
  });

  it("runs a task with the restricted securityContext and podSecurityContext", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    await restrictedNamespace(fixture, "secure");
    const { executor, recorder } = fixture.executor();
    const task = podTask({
      namespace: "secure",
      command: nodeScript("console.log('hardened')"),
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
      onFinish: "keep",
    });
    const { key, launch } = await fixture.launch(task);
    await executor.start(launch);
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    const pod = await fixture.core().readNamespacedPod({ namespace: "secure", name: podNameFor(key) });
    expect(pod.spec?.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod.spec?.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("admits a plain task when --pod-template gives the restricted defaults", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    await restrictedNamespace(fixture, "secure");
    const dir = await cleanup.tempDir("restricted-template");
    const file = path.join(dir, "pod-template.yaml");
    await writeFile(
      file,
      `apiVersion: v1
kind: Pod
metadata:
  labels: { team: platform }
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 1000
    seccompProfile: { type: RuntimeDefault }
  containers:
    - name: base
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: { drop: [ALL] }
`,
    );
    const { executor, recorder } = fixture.executor({ podTemplate: readPodTemplate(file) });
    // The task itself says nothing about security: the house template makes it admissible.
    const { key, launch } = await fixture.launch(
      podTask({ namespace: "secure", command: nodeScript("console.log('templated')"), onFinish: "keep" }),
    );
    await executor.start(launch);
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    const pod = await fixture.core().readNamespacedPod({ namespace: "secure", name: podNameFor(key) });
    expect(pod.metadata?.labels?.team).toBe("platform");
    expect(pod.spec?.containers.find((c) => c.name === "base")?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });
});
