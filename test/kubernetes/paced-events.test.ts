// The Kubernetes executor hands its events to listeners paced (src/executor/paced-delivery.ts): a
// burst goes as one batch per interval. Nothing emitted may be lost or reordered on the way, also
// not when the daemon stops with events still waiting (close, or the scheduler unsubscribing).
import { describe, expect, it } from "vitest";
import type { ExecutorEvent } from "../../src/executor/executor.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { pacedExecutor as executor, recordedTries, TRIES } from "./support/recorded-tries.ts";

/** Which tries' events came (the replays' file reads end in any order; the pacer keeps it: paced-delivery.test.ts). */
const runsOf = (events: ExecutorEvent[]) => events.map((event) => event.key.runId).sort();

describe("the Kubernetes executor's paced events", () => {
  const cleanup = useCleanup();

  it("delivers a burst whole once its interval ends", async () => {
    const launches = await recordedTries(await cleanup.tempDir("paced"));
    const kube = executor(200);
    const events: ExecutorEvent[] = [];
    kube.subscribe((event) => events.push(event));
    for (const launch of launches) await kube.start(launch);
    await waitFor("every replayed outcome", () => (events.length === TRIES ? true : undefined));
    expect(runsOf(events)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    expect(events.find((event) => event.key.runId === "r0")).toMatchObject({
      type: "failed",
      exitCode: 7,
      reason: "r0 failed",
    });
    await kube.close();
  });

  it("delivers what still waits when it closes", async () => {
    const launches = await recordedTries(await cleanup.tempDir("paced-close"));
    // An interval no test waits for: only close() can deliver the rest.
    const kube = executor(600_000);
    const events: ExecutorEvent[] = [];
    kube.subscribe((event) => events.push(event));
    for (const launch of launches) await kube.start(launch);
    await waitFor("the first outcome, at once", () => (events.length > 0 ? true : undefined));
    // The others are replayed (each after a file read) into the pacer, not yet delivered.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toHaveLength(1);
    await kube.close();
    expect(runsOf(events)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
  });

  it("delivers what still waits to a listener that unsubscribes", async () => {
    const launches = await recordedTries(await cleanup.tempDir("paced-unsubscribe"));
    const kube = executor(600_000);
    const events: ExecutorEvent[] = [];
    const unsubscribe = kube.subscribe((event) => events.push(event));
    for (const launch of launches) await kube.start(launch);
    await waitFor("the first outcome, at once", () => (events.length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    unsubscribe();
    expect(runsOf(events)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    await kube.close();
  });
});
