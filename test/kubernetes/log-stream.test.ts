// Issue 5 point 5: the container log is followed into the try's log file while the Pod runs; when the
// follow stream is cut (cleanly, or the connection drops) it resumes from sinceTime with timestamps,
// and after termination the last lines are fetched: every line exactly once, in order.
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { MAX_RESULT_BYTES } from "../../src/executor/result-marker.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { readLog, waitForLog } from "../executor/executor-contract.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { longestLine } from "../support/file-slices.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { KubeExecutorFixture, nodeScript, outcomeOf, podTask } from "./support/executor-fixture.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });

const cleanup = useCleanup();

const LINES = 60;
const expectedLines = Array.from({ length: LINES }, (_, i) => `line ${i + 1} of ${LINES}`);

/**
 * Prints `line 1 of 60` … every 50 ms (several lines share a second, so resuming from a whole
 * second repeats some), the last ones in a burst right before it exits.
 */
const printer = podTask({
  command: nodeScript(
    [
      `let n = 0;`,
      `const print = () => console.log("line " + ++n + " of ${LINES}");`,
      `const timer = setInterval(() => {`,
      `  print();`,
      `  if (n === ${LINES - 5}) { clearInterval(timer); while (n < ${LINES}) print(); }`,
      `}, 50);`,
    ].join("\n"),
  ),
});

function logRequests(name: string) {
  return kube.requests.filter((r) => r.resource === "pods/log" && r.name === name);
}

describe("following the container log", () => {
  it("resumes a cut stream from sinceTime, and reads the final lines after termination, without loss or repeats", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(printer);
    const name = podNameFor(key);
    const forPod = (r: { path: string }) => r.path.endsWith(`/pods/${name}/log`);
    // The first follow ends cleanly after 5 lines (log rotation, an API server restart); the second
    // loses its connection after 10 more; the third is left alone.
    kube.cutLogs({ afterLines: 5 }, 1, forPod);
    kube.cutLogs({ afterLines: 10, abrupt: true }, 1, forPod);
    await executor.start(launch);
    // The log file grows while the Pod runs, past the first cut.
    await waitForLog(launch.logFile, "line 8 of");
    expect(recorder.of(key).map((e) => e.type)).toEqual(["running"]);

    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    const log = await readLog(launch.logFile);
    expect(log.split("\n").filter(Boolean)).toEqual(expectedLines);

    const requests = logRequests(name);
    const follows = requests.filter((r) => r.query.follow === "true");
    expect(follows.length, JSON.stringify(requests.map((r) => r.query))).toBeGreaterThanOrEqual(2);
    for (const r of requests) expect(r.query.timestamps).toBe("true");
    // Every request after the first asks from the last second seen.
    expect(follows[0]?.query.sinceTime).toBeUndefined();
    for (const r of requests.slice(1)) expect(r.query.sinceTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The last request is the read after termination: not followed.
    expect(requests.at(-1)?.query.follow).not.toBe("true");
  });

  it("shows the lines in the log file while the Pod still runs, through a cut", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const gate = `${await cleanup.tempDir("log-gate")}/release`;
    const { key, launch } = await fixture.launch(
      podTask({
        command: nodeScript(
          [
            `console.log("before the cut");`,
            `console.log("also before the cut");`,
            `setTimeout(() => console.log("after the cut"), 300);`,
            `const fs = require("node:fs");`,
            `const timer = setInterval(() => { if (fs.existsSync(${JSON.stringify(gate)})) { clearInterval(timer); console.log("released"); } }, 20);`,
          ].join("\n"),
        ),
      }),
    );
    kube.cutLogs({ afterLines: 2 }, 1, (r) => r.path.endsWith(`/pods/${podNameFor(key)}/log`));
    await executor.start(launch);
    // Only a resumed follow can bring this line while the container is still running.
    await waitForLog(launch.logFile, "after the cut");
    expect(kube.pod("default", podNameFor(key))?.status.phase).toBe("Running");
    await writeFile(gate, "");
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished" });
    expect((await readLog(launch.logFile)).split("\n").filter(Boolean)).toEqual([
      "before the cut",
      "also before the cut",
      "after the cut",
      "released",
    ]);
  });
});

describe("output of any size through the API server's log stream", () => {
  const MIB = 1024 * 1024;

  it("cuts long lines into marked 1 MiB pieces, masks secrets, and fails only the try whose result is over the limit", async () => {
    const secret = "kube-stream-secret-value-77";
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor({ mask: new SecretMask([secret]) });
    const big = await fixture.launch(
      podTask({
        command: nodeScript(
          [
            `process.stdout.write("token=${secret} " + "b".repeat(${8 * MIB}) + "\\n");`,
            `console.log("::updraft-result::" + JSON.stringify("x".repeat(${2 * MIB})));`,
          ].join("\n"),
        ),
      }),
    );
    const small = await fixture.launch(
      podTask({ command: nodeScript(`console.log("::updraft-result::" + JSON.stringify({ ok: true }));`) }),
    );
    await Promise.all([executor.start(big.launch), executor.start(small.launch)]);
    const failed = await outcomeOf(recorder, big.key);
    expect(failed).toMatchObject({ type: "failed", exitCode: 0 });
    expect(failed.type === "failed" && failed.reason).toContain(`the limit is ${MAX_RESULT_BYTES} bytes`);
    expect(await outcomeOf(recorder, small.key)).toMatchObject({
      type: "finished",
      result: { present: true, value: { ok: true } },
    });
    expect(await longestLine(big.launch.logFile)).toBeLessThanOrEqual(MIB);
    const log = await readLog(big.launch.logFile);
    expect(log).not.toContain(secret);
    expect(log.startsWith("token=*** bbbb")).toBe(true);
    expect(log.split("\n")[1]).toBe(`[updraft] line cut at ${MIB} bytes`);
  });
});
