// Issue 7 point 3: two real `updraft run` processes against the fake API server, one Lease. Only
// the holder schedules; the standby serves read-only; kill -9 of the leader hands over after the
// lease expires; a leader cut off from lease updates stops scheduling before anyone else can start.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { type FakeKube } from "../support/fake-kube/fake-kube.ts";
import { waitFor } from "../support/wait-for.ts";
import { type DaemonProcess, POLL } from "../daemon/support/daemon-process.ts";
import {
  LEASE_NAME,
  LEASE_NAMESPACE,
  leaderOf,
  logTime,
  runsOnDisk,
  type StoredRun,
  startElectingDaemon,
  waitForRole,
} from "./support/electing-daemons.ts";
import { fakeKubeFolders } from "../support/fake-kube/fake-kube-fixture.ts";

const DAG_ID = "ticker";
const DAG = `import { dag, pod } from "updraft";
export default dag({
  id: ${JSON.stringify(DAG_ID)},
  schedule: "*/2 * * * * *",
  catchup: false,
  tasks: [pod({ id: "tick", image: "fake/exit:0" })],
});
`;
// Short leases so a takeover fits in a test; still far above a loaded machine's event-loop stalls.
const TIMING = { leaseDuration: "6s", renewDeadline: "4s", retryPeriod: "1s" };

describe("two daemons, one Lease", () => {
  // The fake API server is deferred first, so it closes after the daemons talking to it.
  const cleanup = useCleanup();

  /** A leads, then B starts as its standby; `shared`: one state dir for both (one PVC, two replicas). */
  async function twoDaemons(options: { shared?: boolean } = {}) {
    const {
      fake: kube,
      dir,
      dagsDir,
      kubeconfig,
    } = await fakeKubeFolders(cleanup, "leader-election", { "ticker.ts": DAG });
    const stateOf = (name: string) => path.join(dir, options.shared ? "shared" : name);
    const start = (name: string) =>
      startElectingDaemon(cleanup, {
        name,
        dagsDir,
        stateDir: stateOf(name),
        kubeconfig,
        timing: TIMING,
        // A standby re-reads a shared state dir every --interval.
        extraArgs: ["--interval", "1s"],
      });
    const a = await start("updraft-a");
    await waitForRole(a, true);
    const b = await start("updraft-b");
    await b.waitForDags([DAG_ID]);
    return { fake: kube, a, b, stateOf };
  }

  const scheduledRuns = async (daemon: DaemonProcess): Promise<StoredRun[]> =>
    (await daemon.request(`/api/dags/${DAG_ID}/runs`)).body as StoredRun[];
  const waitForRuns = (daemon: DaemonProcess, count: number) =>
    waitFor(
      `${count} scheduled runs by ${daemon.url}`,
      async () => {
        const runs = await scheduledRuns(daemon);
        return runs.length >= count ? runs : undefined;
      },
      { ...POLL, details: () => daemon.output() },
    );
  const podCreates = (fake: FakeKube) =>
    fake.requests.filter((r) => r.verb === "create" && r.resource === "pods");

  it("only the leader schedules; the standby is read-only; kill -9 of the leader hands over after the lease expires", async () => {
    const { fake, a, b, stateOf } = await twoDaemons();

    expect(await leaderOf(a)).toEqual({
      enabled: true,
      isLeader: true,
      identity: "updraft-a",
      holder: "updraft-a",
    });
    expect(await leaderOf(b)).toEqual({
      enabled: true,
      isLeader: false,
      identity: "updraft-b",
      holder: "updraft-a",
    });
    await waitForRuns(a, 3);

    // The standby: DAGs listed, ready and healthy, but no runs of its own and no writes.
    expect(await scheduledRuns(b)).toEqual([]);
    const trigger = await b.post(`/api/dags/${DAG_ID}/runs`, { conf: {} });
    expect(trigger.status, trigger.text).toBe(503);
    expect(trigger.body.error.code).toBe("standby");
    expect(trigger.body.error.message).toContain('"updraft-a" leads');
    expect((await b.post(`/api/dags/${DAG_ID}/pause`)).status).toBe(503);
    expect((await b.post("/api/sync")).status).toBe(503);
    expect((await b.request("/readyz")).status).toBe(200);
    const health = await b.request("/healthz");
    expect(health.status, health.text).toBe(200);
    expect(health.body.checks.scheduler).toEqual({ ok: true, detail: "standby: updraft-a leads" });
    expect((await runsOnDisk(stateOf("updraft-b"))).length).toBe(0);

    await a.kill9();
    const takeover = await waitForRole(b, true);
    expect(takeover).toEqual({ enabled: true, isLeader: true, identity: "updraft-b", holder: "updraft-b" });
    await waitForRuns(b, 2);
    expect(fake.lease(LEASE_NAMESPACE, LEASE_NAME)?.spec).toMatchObject({
      holderIdentity: "updraft-b",
      leaseTransitions: 1,
      leaseDurationSeconds: 6,
    });
    // The new leader accepts writes.
    expect((await b.post(`/api/dags/${DAG_ID}/runs`, { conf: {} })).status).toBe(201);

    // Never both: no logical date scheduled twice, the old leader's all before the new one's.
    const byA = (await runsOnDisk(stateOf("updraft-a"))).filter((r) => r.trigger === "scheduled");
    // The live daemon's runs from its API (its files may lag its memory by a write).
    const byB = (await scheduledRuns(b)).filter((r) => r.trigger === "scheduled");
    const seen = JSON.stringify({ byA: byA.map((r) => r.logicalDate), byB: byB.map((r) => r.logicalDate) });
    expect(byA.length, seen).toBeGreaterThanOrEqual(3);
    expect(byB.length, seen).toBeGreaterThanOrEqual(2);
    const dates = [...byA, ...byB].map((r) => r.logicalDate);
    expect(new Set(dates).size, seen).toBe(dates.length);
    const lastOfA =
      byA
        .map((r) => r.logicalDate)
        .sort()
        .at(-1) ?? "";
    expect(
      byB.every((r) => r.logicalDate > lastOfA),
      seen,
    ).toBe(true);
    // No pod was ever created twice (a duplicate create would be a 409 AlreadyExists).
    const creates = podCreates(fake);
    expect(creates.length).toBeGreaterThanOrEqual(5);
    expect(
      creates.filter((r) => r.code !== 201),
      JSON.stringify(creates),
    ).toEqual([]);
  }, 120_000);

  it("a leader whose lease updates fail stops scheduling and exits before the standby takes over", async () => {
    const { fake, a, b, stateOf } = await twoDaemons();
    await waitForRuns(a, 2);

    // The API server refuses every lease update (only the leader updates while the lease is valid).
    fake.failNext((r) => r.resource === "leases" && r.verb === "update", 500, 1_000_000);
    const exit = await a.exited;
    expect(exit, a.output()).toEqual({ code: 1, signal: null });
    const steppedDown = logTime(a.output(), "leader election: lost the lease; stopped scheduling");
    expect(steppedDown, a.output()).toBeDefined();
    expect(a.output()).toContain("the lease was not renewed within the renew deadline (4000 ms)");
    fake.clearFaults();

    await waitForRole(b, true);
    await waitForRuns(b, 1);
    const acquired = logTime(b.output(), "leader election: acquired the lease; this replica schedules");
    // The order the lease guarantees: the old leader had stopped before the new one started.
    expect(steppedDown ?? Number.POSITIVE_INFINITY).toBeLessThan(acquired ?? 0);
    const byA = await runsOnDisk(stateOf("updraft-a"));
    expect(byA.length).toBeGreaterThanOrEqual(2);
    expect(
      byA.every((run) => Date.parse(run.queuedAt) <= (steppedDown ?? 0)),
      JSON.stringify(byA),
    ).toBe(true);
    const dates = [...byA, ...(await scheduledRuns(b))].map((r) => r.logicalDate);
    expect(new Set(dates).size, JSON.stringify(dates)).toBe(dates.length);
    expect(fake.lease(LEASE_NAMESPACE, LEASE_NAME)?.spec).toMatchObject({ holderIdentity: "updraft-b" });
  }, 120_000);

  it("sharing one state dir: the standby's page shows the leader's runs; the new leader continues from them", async () => {
    const { fake, a, b } = await twoDaemons({ shared: true });
    const byA = await waitForRuns(a, 3);
    // The standby re-reads the shared state: it lists the leader's runs (and still creates none).
    await waitFor(
      "the standby to list the leader's first runs",
      async () => {
        const ids = new Set((await scheduledRuns(b)).map((r) => r.id));
        return byA.every((r) => ids.has(r.id)) ? true : undefined;
      },
      { ...POLL, details: () => b.output() },
    );
    expect((await leaderOf(b)).isLeader).toBe(false);

    await a.kill9();
    const lastOfA =
      (await scheduledRuns(b))
        .map((r) => r.logicalDate)
        .sort()
        .at(-1) ?? "";
    await waitForRole(b, true);
    const after = await waitFor(
      "two runs scheduled by the new leader",
      async () => {
        const runs = await scheduledRuns(b);
        return runs.filter((r) => r.logicalDate > lastOfA).length >= 2 ? runs : undefined;
      },
      { ...POLL, details: () => b.output() },
    );
    const seen = JSON.stringify(after.map((r) => [r.logicalDate, r.state]));
    // The old leader's runs are still there, and no logical date was scheduled twice.
    expect(
      byA.every((r) => after.some((s) => s.id === r.id)),
      seen,
    ).toBe(true);
    const dates = after.map((r) => r.logicalDate);
    expect(new Set(dates).size, seen).toBe(dates.length);
    // At most one Pod created per run; any other create was a 409 (a Pod of the old leader adopted).
    const creates = podCreates(fake);
    expect(creates.filter((r) => r.code === 201).length, seen).toBeLessThanOrEqual(after.length);
    expect(
      creates.filter((r) => r.code !== 201 && r.code !== 409),
      JSON.stringify(creates),
    ).toEqual([]);
  }, 120_000);
});
