// The Roles in deploy/ against the requests updraft really makes: the Kubernetes executor runs a
// representative set of tasks against the fake API server, whose request journal says which
// verbs and resources RBAC would check. The jobs Role must grant exactly those.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dagSchema, type TaskDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { ExecutorEvent, TaskKey, TaskLaunch } from "../../src/executor/executor.ts";
import { createKubeApi } from "../../src/kubernetes/kube-api.ts";
import { KubernetesExecutor } from "../../src/kubernetes/kubernetes-executor.ts";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { systemClock } from "../../src/leader/clock.ts";
import { createKubeLeaseApi } from "../../src/kubernetes/kube-lease-api.ts";
import { LeaderElector } from "../../src/leader/leader-elector.ts";
import { type FakeKube, startFakeKube } from "../support/fake-kube/index.ts";
import { waitFor } from "../support/wait-for.ts";
import { type Manifest, readManifestFiles } from "./support/manifests.ts";
import { allows, permissions, type RoleRule } from "./support/rbac.ts";

const DEPLOY = fileURLToPath(new URL("../../deploy/", import.meta.url));
const LEASE_NAME = "updraft-leader";

async function roleNamed(name: string): Promise<Manifest & { rules: RoleRule[] }> {
  const objects = (await readManifestFiles(DEPLOY)).flatMap((file) => file.objects);
  const role = objects.find((o) => o.kind === "Role" && o.metadata.name === name);
  if (!role) throw new Error(`deploy/ has no Role ${name}`);
  return role as Manifest & { rules: RoleRule[] };
}

function task(fields: Record<string, unknown>): TaskDefinition {
  const dag = dagSchema.parse({
    kind: "dag",
    id: "rbac",
    schedule: null,
    tasks: [{ kind: "pod", id: "task", image: "node:20", ...fields }],
  });
  const [first] = dag.tasks;
  if (!first) throw new Error("fixture DAG has no task");
  return first;
}

describe("jobs-namespace Role", () => {
  let kube: FakeKube;
  let stateDir: string;
  let namespace: string;
  let sequence = 0;
  const executors: KubernetesExecutor[] = [];

  beforeAll(async () => {
    namespace = (await roleNamed("updraft-tasks")).metadata.namespace ?? "";
    kube = await startFakeKube({ namespaces: [namespace], strictNamespaces: true });
    stateDir = await mkdtemp(path.join(os.tmpdir(), "updraft-rbac-"));
  });
  afterAll(async () => {
    for (const executor of executors) await executor.close();
    await kube?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  function executor(tryIsActive: (key: TaskKey) => boolean = () => true) {
    const made = new KubernetesExecutor({
      api: createKubeApi(kube.kubeConfig(), { retryBaseMs: 20 }),
      defaultNamespace: namespace,
      tryIsActive,
      relistMs: 1000,
      cancelGraceSeconds: 1,
      createRetryMs: 100,
      configErrorGraceMs: 500,
    });
    executors.push(made);
    const events: ExecutorEvent[] = [];
    made.subscribe((event) => events.push(event));
    const outcome = (key: TaskKey) =>
      waitFor(`the outcome of ${key.runId}`, () =>
        events.find((e) => e.type !== "running" && e.key.runId === key.runId),
      );
    const running = (key: TaskKey) =>
      waitFor(`${key.runId} running`, () =>
        events.find((e) => e.type === "running" && e.key.runId === key.runId),
      );
    return { executor: made, outcome, running };
  }

  function launch(definition: TaskDefinition, script: string): TaskLaunch {
    sequence += 1;
    const runId = `rbac__manual__${sequence}`;
    return {
      dagId: "rbac",
      runId,
      taskId: "task",
      try: 1,
      task: definition,
      command: [process.execPath, "-e", script],
      args: [],
      env: {},
      snapshot: stateDir,
      logFile: path.join(stateDir, runId, "try-1.log"),
      logicalDate: "2026-05-01T10:00:00.000Z",
    };
  }

  it("grants exactly the verbs and resources the executor calls, all in its namespace", async () => {
    const { executor: first, outcome, running } = executor();

    // Success, with a log followed while the container runs (the Pod is deleted once the outcome is stored).
    const success = launch(task({}), "console.log('one'); setTimeout(() => console.log('two'), 300)");
    await first.start(success);
    expect(await outcome(success)).toMatchObject({ type: "finished" });

    // A failing exit code, and a Pod that never pulls: both append the Pod's events to the log.
    const exit = launch(task({}), "process.exit(3)");
    await first.start(exit);
    expect(await outcome(exit)).toMatchObject({ type: "failed", exitCode: 3 });
    const pull = launch(task({ image: "fake/pull-error:1", startupTimeout: "1s" }), "");
    await first.start(pull);
    expect(await outcome(pull)).toMatchObject({ type: "failed" });

    // A timeout (the scheduler cancels the try): the Pod is deleted with a grace period.
    const slow = launch(task({}), "setTimeout(() => {}, 60000)");
    await first.start(slow);
    await running(slow);
    await first.cancel(slow, "timed out after 1s");
    expect(await outcome(slow)).toMatchObject({ type: "failed", reason: "timed out after 1s" });

    // The watch is cut and its history compacted: the executor re-lists and watches again.
    const watchesBefore = kube.countRequests({ verb: "watch", resource: "pods" });
    kube.compact();
    kube.cutWatches();
    await waitFor("a new pod watch", () =>
      kube.countRequests({ verb: "watch", resource: "pods" }) > watchesBefore ? true : undefined,
    );

    // Adoption: the daemon restarts while a Pod runs; the new executor's create meets 409 and reads it.
    const adopted = launch(task({}), "console.log('before'); setTimeout(() => console.log('after'), 1000)");
    await first.start(adopted);
    await running(adopted);
    await first.close();
    const { executor: restarted, outcome: restartedOutcome } = executor();
    await restarted.start(adopted);
    expect(await restartedOutcome(adopted)).toMatchObject({ type: "finished" });
    expect(kube.requests.some((r) => r.verb === "create" && r.code === 409)).toBe(true);

    // The sweep: a Pod kept after it finished, which state no longer expects, is deleted.
    const kept = launch(task({ onFinish: "keep" }), "console.log('kept')");
    await restarted.start(kept);
    await restartedOutcome(kept);
    const { executor: sweeper } = executor(() => false);
    const watched = launch(task({}), "console.log('x')");
    await sweeper.start(watched);
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    expect(kube.pod(namespace, podNameFor(kept))).toBeUndefined();

    const requests = kube.requests.filter((r) => r.isResourceRequest && !r.fault);
    expect(requests.filter((r) => r.namespace !== namespace)).toEqual([]);
    const role = await roleNamed("updraft-tasks");
    expect(role.rules.some((rule) => rule.resourceNames?.length)).toBe(false);
    // No less: every request is allowed. No more: the Role grants nothing that was not asked.
    expect(requests.filter((r) => !allows(role.rules, r)).map((r) => `${r.verb} ${r.path}`)).toEqual([]);
    expect(permissions(role.rules)).toEqual(permissions(kube.rbacRules()));
  });
});

describe("leader-election Role", () => {
  it(`allows exactly what the daemon's leader elector asks of the Lease ${LEASE_NAME}, nothing else`, async () => {
    const role = await roleNamed("updraft-leader-election");
    const namespace = role.metadata.namespace ?? "";
    const kube = await startFakeKube({ namespaces: [namespace] });
    try {
      // The real elector through the real client: acquire (get 404, create), renew, then release.
      const events: string[] = [];
      const elector = new LeaderElector({
        api: createKubeLeaseApi(kube.kubeConfig(), namespace, LEASE_NAME),
        clock: systemClock,
        identity: "updraft-0",
        timing: { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 },
        onEvent: (event) => events.push(event.type),
      });
      await elector.start();
      await waitFor("the elector to lead", () => elector.isLeader || undefined);
      const renewed = () => kube.requests.filter((r) => r.isResourceRequest && r.verb === "update").length;
      await waitFor("two renewals", () => renewed() >= 2 || undefined);
      await elector.stop();
      expect(events).toContain("started-leading");
      expect((kube.lease(namespace, LEASE_NAME)?.spec as { holderIdentity?: string }).holderIdentity).toBe(
        "",
      );

      const requests = kube.requests.filter((r) => r.isResourceRequest && !r.fault);
      expect(new Set(requests.map((r) => r.verb))).toEqual(new Set(["get", "create", "update"]));
      expect(requests.filter((r) => r.namespace !== namespace)).toEqual([]);
      expect(requests.filter((r) => !allows(role.rules, r)).map((r) => `${r.verb} ${r.path}`)).toEqual([]);
      expect(permissions(role.rules)).toEqual(permissions(kube.rbacRules()));

      // resourceNames holds: another Lease, or listing them, is not allowed.
      const api = kube.kubeConfig().makeApiClient(CoordinationV1Api);
      await api.readNamespacedLease({ namespace, name: "someone-else" }).catch(() => undefined);
      await api.listNamespacedLease({ namespace });
      const [other, list] = kube.requests.slice(-2);
      if (!other || !list) throw new Error("expected two more requests in the journal");
      expect(allows(role.rules, other)).toBe(false);
      expect(allows(role.rules, list)).toBe(false);
    } finally {
      await kube.close();
    }
  });
});
