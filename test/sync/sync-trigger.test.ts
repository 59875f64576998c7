import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncTrigger } from "../../src/sync/sync-trigger.ts";

/** A sync function whose calls the test finishes by hand, counting how many run at once. */
function controlledSync() {
  const pending: Array<(ok: boolean) => void> = [];
  let running = 0;
  let maxRunning = 0;
  let calls = 0;
  const sync = () => {
    calls++;
    running++;
    maxRunning = Math.max(maxRunning, running);
    return new Promise<boolean>((resolve) =>
      pending.push((ok) => {
        running--;
        resolve(ok);
      }),
    );
  };
  return {
    sync,
    get calls() {
      return calls;
    },
    get maxRunning() {
      return maxRunning;
    },
    /** Finishes the oldest sync still running. */
    finish(ok = true) {
      const next = pending.shift();
      if (!next) throw new Error("no sync is running");
      next(ok);
    },
  };
}

const INTERVAL = 10_000;

describe("SyncTrigger", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-03-01T00:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs a burst of requests during a sync as one follow-up, never two syncs at once", async () => {
    const control = controlledSync();
    const trigger = new SyncTrigger(control.sync, { intervalMs: INTERVAL, random: () => 0.5 });
    const first = trigger.request();
    const burst = Array.from({ length: 10 }, () => trigger.request());
    expect(control.calls).toBe(1);
    let burstDone = false;
    void Promise.all(burst).then(() => {
      burstDone = true;
    });

    control.finish();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(control.calls).toBe(2);
    // The requests came after the first sync started: they wait for the follow-up.
    expect(burstDone).toBe(false);

    control.finish();
    await Promise.all(burst);
    expect(control.calls).toBe(2);
    expect(control.maxRunning).toBe(1);
    await trigger.stop();
  });

  it("polls every interval with up to 10% jitter either way", async () => {
    for (const [random, delay] of [
      [0, 0.9 * INTERVAL],
      [1, 1.1 * INTERVAL],
    ] as const) {
      const control = controlledSync();
      const trigger = new SyncTrigger(control.sync, { intervalMs: INTERVAL, random: () => random });
      const started = trigger.start();
      control.finish();
      await started;
      expect(trigger.nextSyncAt?.getTime()).toBe(Date.now() + delay);
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(control.calls).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(control.calls).toBe(2);
      control.finish();
      await trigger.stop();
    }
  });

  it("retries failures sooner, backing off from 1 s and never waiting longer than the interval", async () => {
    const control = controlledSync();
    const trigger = new SyncTrigger(control.sync, { intervalMs: INTERVAL, random: () => 0.5 });
    const started = trigger.start();
    control.finish(false);
    await started;
    const delays: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      const due = trigger.nextSyncAt;
      if (!due) throw new Error("no next sync scheduled");
      const delay = due.getTime() - Date.now();
      delays.push(delay);
      await vi.advanceTimersByTimeAsync(delay);
      control.finish(false);
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, INTERVAL, INTERVAL]);

    // One success ends the backoff.
    await vi.advanceTimersByTimeAsync(INTERVAL);
    control.finish(true);
    await vi.advanceTimersByTimeAsync(0);
    expect((trigger.nextSyncAt?.getTime() ?? 0) - Date.now()).toBe(INTERVAL);
    await trigger.stop();
  });

  it("treats a sync that throws as a failure, and keeps going", async () => {
    let calls = 0;
    const trigger = new SyncTrigger(
      async () => {
        calls++;
        throw new Error("remote exploded");
      },
      { intervalMs: INTERVAL, random: () => 0.5 },
    );
    await expect(trigger.start()).resolves.toBeUndefined();
    expect((trigger.nextSyncAt?.getTime() ?? 0) - Date.now()).toBe(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(2);
    await trigger.stop();
  });

  it("stops polling on stop, after the sync under way has finished", async () => {
    const control = controlledSync();
    const trigger = new SyncTrigger(control.sync, { intervalMs: INTERVAL, random: () => 0.5 });
    void trigger.start();
    let stopped = false;
    const stopping = trigger.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    control.finish();
    await stopping;
    expect(trigger.nextSyncAt).toBeNull();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(control.calls).toBe(1);
  });
});
