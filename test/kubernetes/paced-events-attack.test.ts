// Issue 17 attack on the Kubernetes executor's paced events (src/executor/paced-delivery.ts): a
// listener that throws on one event of a burst. Unpaced, the throw cost that one event; paced, the
// events after it in the batch went to no listener (tries left running until a sweep), and the
// throw escaped from the pacer's timer (an uncaught exception: the daemon died).
import { describe, expect, it } from "vitest";
import type { ExecutorEvent } from "../../src/executor/executor.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { pacedExecutor as executor, recordedTries, TRIES } from "./support/recorded-tries.ts";

/** Which tries' events came. */
const runsOf = (events: ExecutorEvent[]) => events.map((event) => event.key.runId).sort();

describe("the Kubernetes executor's paced events, a listener that throws", () => {
  const cleanup = useCleanup();

  it("one listener throwing on one event of a burst costs no other event, and nothing escapes", async () => {
    const launches = await recordedTries(await cleanup.tempDir("paced-throws"));
    const kube = executor(100);
    const thrown: string[] = [];
    kube.subscribe((event) => {
      // Not the first event (it goes at once, inside start's own try): one of the paced burst.
      if (event.key.runId !== "r0" && thrown.length === 0) {
        thrown.push(event.key.runId);
        throw new Error(`listener failed on ${event.key.runId}`);
      }
    });
    const events: ExecutorEvent[] = [];
    kube.subscribe((event) => events.push(event));
    for (const launch of launches) await kube.start(launch);
    await waitFor("every replayed outcome", () => (events.length >= TRIES ? true : undefined));
    expect(thrown).toHaveLength(1);
    expect(runsOf(events)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    await kube.close();
  });
});
