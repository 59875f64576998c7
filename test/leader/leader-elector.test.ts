import { describe, expect, it } from "vitest";
import {
  DEFAULT_LEASE_TIMING,
  LeaderElector,
  type LeadershipEvent,
} from "../../src/leader/leader-elector.ts";
import { FakeClock, type FakeLeaseClient, FakeLeaseServer } from "./fakes.ts";

const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = DEFAULT_LEASE_TIMING;

/** A candidate on the shared fake lease; its events are kept with the (fake) time they happened. */
function candidate(server: FakeLeaseServer, clock: FakeClock, identity: string) {
  const api = server.client(identity);
  const events: Array<LeadershipEvent & { at: number }> = [];
  const elector = new LeaderElector({
    api,
    clock,
    identity,
    timing: DEFAULT_LEASE_TIMING,
    onEvent: (event) => events.push({ ...event, at: clock.now() }),
    random: () => 0,
  });
  const at = (type: LeadershipEvent["type"]) => events.find((e) => e.type === type)?.at;
  return { elector, api: api as FakeLeaseClient, events, at };
}

function setup() {
  const clock = new FakeClock();
  const server = new FakeLeaseServer(clock);
  return { clock, server };
}

describe("LeaderElector (client-go semantics, fake clock and fake Lease API)", () => {
  it("acquires an absent lease at once: creates it with its identity, duration and zero transitions", async () => {
    const { clock, server } = setup();
    const a = candidate(server, clock, "a");
    await a.elector.start();
    expect(a.elector.isLeader).toBe(true);
    expect(a.elector.status()).toEqual({ isLeader: true, identity: "a", holder: "a" });
    expect(a.events.map((e) => e.type)).toEqual(["new-leader", "started-leading"]);
    expect(server.lease?.record).toEqual({
      holderIdentity: "a",
      leaseDurationSeconds: 15,
      acquireTime: new Date(clock.now()),
      renewTime: new Date(clock.now()),
      leaseTransitions: 0,
    });
    await a.elector.stop();
  });

  it("renews every retry period, keeping acquireTime and leaseTransitions", async () => {
    const { clock, server } = setup();
    const a = candidate(server, clock, "a");
    const startedAt = clock.now();
    await a.elector.start();
    await clock.advance(3 * retryPeriodMs);
    expect(server.writes.map((w) => w.at - startedAt)).toEqual([0, 2000, 4000, 6000]);
    expect(server.lease?.record.renewTime).toEqual(new Date(startedAt + 6000));
    expect(server.lease?.record.acquireTime).toEqual(new Date(startedAt));
    expect(server.lease?.record.leaseTransitions).toBe(0);
    expect(a.elector.isLeader).toBe(true);
    await a.elector.stop();
  });

  it("a standby never takes a lease that keeps being renewed, and reports who holds it", async () => {
    const { clock, server } = setup();
    const a = candidate(server, clock, "a");
    const b = candidate(server, clock, "b");
    await a.elector.start();
    await b.elector.start();
    await clock.advance(10 * leaseDurationMs);
    expect(a.elector.isLeader).toBe(true);
    expect(b.elector.isLeader).toBe(false);
    expect(b.elector.status()).toEqual({ isLeader: false, identity: "b", holder: "a" });
    expect(server.writes.every((w) => w.by === "a")).toBe(true);
    expect(b.events.map((e) => e.type)).toEqual(["new-leader"]);
    await a.elector.stop();
    await b.elector.stop();
  });

  it("two candidates racing for an absent lease: the create conflict (409) leaves exactly one leader", async () => {
    const { clock, server } = setup();
    const a = candidate(server, clock, "a");
    const b = candidate(server, clock, "b");
    await Promise.all([a.elector.start(), b.elector.start()]);
    expect([a.elector.isLeader, b.elector.isLeader].filter(Boolean)).toHaveLength(1);
    const loser = a.elector.isLeader ? b : a;
    expect(loser.events.find((e) => e.type === "attempt-failed")).toBeDefined();
    await clock.advance(5 * retryPeriodMs);
    expect([a.elector.isLeader, b.elector.isLeader].filter(Boolean)).toHaveLength(1);
    await a.elector.stop();
    await b.elector.stop();
  });

  it("takes over an expired lease: a lease duration after it last saw it change, by its own clock, with transitions + 1", async () => {
    const { clock, server } = setup();
    const a = candidate(server, clock, "a");
    const b = candidate(server, clock, "b");
    await a.elector.start();
    await b.elector.start();
    await clock.advance(5 * retryPeriodMs);
    // The leader's process dies: nothing renews any more. (Its elector is cut off from the API.)
    a.api.failing = true;
    const lastRenew = server.writes.at(-1)?.at ?? 0;
    await clock.advance(leaseDurationMs + 2 * retryPeriodMs * 2.2);
    expect(b.elector.isLeader).toBe(true);
    const tookOver = b.at("started-leading") ?? 0;
    expect(tookOver - lastRenew).toBeGreaterThanOrEqual(leaseDurationMs);
    expect(server.lease?.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    expect(server.lease?.record.acquireTime).toEqual(new Date(tookOver));
    await a.elector.stop();
    await b.elector.stop();
  });

  it("a leader that cannot renew steps down within the renew deadline, before its lease expires for anyone", async () => {
    const { clock, server } = setup();
    const a = candidate(server, clock, "a");
    const b = candidate(server, clock, "b");
    await a.elector.start();
    await b.elector.start();
    await clock.advance(3 * retryPeriodMs);
    a.api.failWrites = true;
    const lastRenew = server.writes.at(-1)?.at ?? 0;
    await clock.advance(2 * leaseDurationMs);
    const steppedDown = a.at("stopped-leading");
    const tookOver = b.at("started-leading");
    expect(steppedDown).toBeDefined();
    expect(tookOver).toBeDefined();
    expect((steppedDown ?? 0) - lastRenew).toBeLessThanOrEqual(renewDeadlineMs);
    expect(steppedDown).toBeLessThan(tookOver ?? 0);
    expect(a.elector.isLeader).toBe(false);
    expect(a.events.find((e) => e.type === "stopped-leading")).toMatchObject({
      reason: "the lease was not renewed within the renew deadline (10000 ms)",
    });
    // Once stepped down it does not campaign again.
    a.api.failWrites = false;
    const callsAfter = a.api.calls;
    await clock.advance(5 * leaseDurationMs);
    expect(a.api.calls).toBe(callsAfter);
    await b.elector.stop();
  });

  it("steps down at the renew deadline even while its renew request hangs", async () => {
    const { clock, server } = setup();
    const a = candidate(server, clock, "a");
    await a.elector.start();
    const acquiredAt = clock.now();
    a.api.hanging = true;
    await clock.advance(leaseDurationMs);
    expect(a.elector.isLeader).toBe(false);
    const steppedDown = a.at("stopped-leading") ?? Number.POSITIVE_INFINITY;
    expect(steppedDown - acquiredAt).toBeLessThanOrEqual(renewDeadlineMs);
    expect(server.writes).toHaveLength(1);
    // Stopping waits a bounded time for the hung try and the (hung) release.
    const stopping = a.elector.stop();
    await clock.advance(2 * retryPeriodMs);
    await stopping;
    expect(a.events.at(-1)?.type).toBe("release-failed");
  });

  it("steps down at once when the lease shows another holder", async () => {
    const { clock, server } = setup();
    const a = candidate(server, clock, "a");
    await a.elector.start();
    const current = server.lease;
    if (!current) throw new Error("no lease");
    server.write("intruder", { ...current.record, holderIdentity: "intruder" }, current.resourceVersion);
    const overwrittenAt = clock.now();
    await clock.advance(retryPeriodMs);
    expect(a.elector.isLeader).toBe(false);
    expect(a.at("stopped-leading")).toBe(overwrittenAt + retryPeriodMs);
    expect(a.events.find((e) => e.type === "stopped-leading")).toMatchObject({
      reason: 'the lease is now held by "intruder"',
    });
    await a.elector.stop();
  });

  it("stop() releases the lease: holder empty, and a standby takes it at its next try instead of after expiry", async () => {
    const { clock, server } = setup();
    const a = candidate(server, clock, "a");
    const b = candidate(server, clock, "b");
    await a.elector.start();
    await b.elector.start();
    await clock.advance(2 * retryPeriodMs);
    await a.elector.stop();
    const releasedAt = clock.now();
    expect(server.lease?.record).toMatchObject({
      holderIdentity: "",
      leaseDurationSeconds: 1,
      leaseTransitions: 0,
    });
    expect(a.elector.isLeader).toBe(false);
    expect(a.events.map((e) => e.type)).not.toContain("stopped-leading");
    await clock.advance(retryPeriodMs * 2.2);
    expect(b.elector.isLeader).toBe(true);
    expect((b.at("started-leading") ?? 0) - releasedAt).toBeLessThan(leaseDurationMs);
    expect(server.lease?.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    // A candidate that never led does not touch the lease on stop.
    const writes = server.writes.length;
    const c = candidate(server, clock, "c");
    await c.elector.start();
    await c.elector.stop();
    expect(server.writes).toHaveLength(writes);
    await b.elector.stop();
  });

  it("a restarted candidate with the same identity (POD_NAME) takes its own lease back at once", async () => {
    const { clock, server } = setup();
    const first = candidate(server, clock, "updraft-0");
    await first.elector.start();
    await clock.advance(3 * retryPeriodMs);
    first.api.failing = true; // killed: no release
    await clock.advance(1000);
    const again = candidate(server, clock, "updraft-0");
    await again.elector.start();
    expect(again.elector.isLeader).toBe(true);
    expect(server.lease?.record.leaseTransitions).toBe(0);
    await first.elector.stop();
    await again.elector.stop();
  });
});
