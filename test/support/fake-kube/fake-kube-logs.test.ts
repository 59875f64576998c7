import { Log } from "@kubernetes/client-node";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { waitFor } from "../wait-for.ts";
import { apiError, podOf, useFakeKube, waitForPod } from "./fake-kube-fixture.ts";

const NS = "default";
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z) (.*)$/;

/** Follows (or reads) a container log with the client's Log class; `text` grows as bytes arrive. */
async function streamLog(
  fake: ReturnType<typeof useFakeKube>,
  name: string,
  options: Record<string, unknown>,
) {
  const out = new PassThrough();
  const state = { text: "", ended: false, failed: false };
  out.on("data", (chunk: Buffer) => (state.text += chunk.toString()));
  out.on("end", () => (state.ended = true));
  out.on("error", () => (state.failed = true));
  const controller = await new Log(fake.kube.kubeConfig()).log(NS, name, "base", out, options);
  return Object.assign(state, { abort: () => controller.abort() });
}

/** A node script printing `lines` one by one, `gapMs` apart. */
const printer = (lines: string[], gapMs: number) => [
  "node",
  "-e",
  `const l = ${JSON.stringify(lines)}; let i = 0; const t = setInterval(() => { console.log(l[i++]); if (i === l.length) clearInterval(t); }, ${gapMs});`,
];

describe("pod logs", () => {
  const fake = useFakeKube();

  it("streams a real command's output with Log.log (follow, timestamps) and ends when it exits", async () => {
    await fake.core.createNamespacedPod({
      namespace: NS,
      body: podOf("follow", printer(["one", "two", "three"], 300)),
    });
    await waitForPod(fake.kube, "follow", (p) => p.status.phase === "Running");
    const log = await streamLog(fake, "follow", { follow: true, timestamps: true });
    await waitFor("the first line", () => (log.text.includes("one") ? true : undefined));
    expect(log.text).not.toContain("three");
    await waitFor("the end of the stream", () => (log.ended ? true : undefined));
    const lines = log.text
      .trimEnd()
      .split("\n")
      .map((l) => STAMP.exec(l));
    expect(lines.map((m) => m?.[2])).toEqual(["one", "two", "three"]);
    const times = lines.map((m) => Date.parse(m?.[1] ?? ""));
    expect(times).toEqual([...times].sort());
  });

  it("returns only lines from sinceTime on, sinceTime counted in whole seconds", async () => {
    const script =
      "console.log('early'); const s = Math.ceil((Date.now() + 1) / 1000) * 1000 + 50; while (Date.now() < s); console.log('late');";
    await fake.core.createNamespacedPod({ namespace: NS, body: podOf("since", ["node", "-e", script]) });
    await waitForPod(fake.kube, "since", (p) => p.status.phase === "Succeeded");
    const all = await fake.core.readNamespacedPodLog({ namespace: NS, name: "since", timestamps: true });
    const lateStamp =
      all
        .split("\n")
        .map((l) => STAMP.exec(l))
        .find((m) => m?.[2] === "late")?.[1] ?? "";
    const later = await streamLog(fake, "since", { sinceTime: lateStamp });
    await waitFor("the log", () => (later.ended ? true : undefined));
    expect(later.text).toBe("late\n");
    // A sinceTime after the last line but in the same second still replays that second.
    const sameSecond = lateStamp.replace(/(\.\d+)?Z$/, ".999Z");
    const replay = await streamLog(fake, "since", { sinceTime: sameSecond });
    await waitFor("the log", () => (replay.ended ? true : undefined));
    expect(replay.text).toBe("late\n");
    expect(await fake.core.readNamespacedPodLog({ namespace: NS, name: "since", tailLines: 1 })).toBe(
      "late\n",
    );
    expect(await fake.core.readNamespacedPodLog({ namespace: NS, name: "since", limitBytes: 3 })).toBe("ear");
  });

  it("cuts a followed stream after N lines when told to, and a resumed follow gets the rest", async () => {
    await fake.core.createNamespacedPod({
      namespace: NS,
      body: podOf("cut", printer(["a", "b", "c", "d"], 250)),
    });
    await waitForPod(fake.kube, "cut", (p) => p.status.phase === "Running");
    fake.kube.cutLogs({ afterLines: 2 });
    const first = await streamLog(fake, "cut", { follow: true });
    await waitFor("the cut", () => (first.ended ? true : undefined));
    expect(first.text).toBe("a\nb\n");
    expect(fake.kube.pod(NS, "cut")?.status.phase).toBe("Running");
    const rest = await streamLog(fake, "cut", { follow: true, tailLines: 10 });
    await waitFor("the end", () => (rest.ended ? true : undefined));
    expect(rest.text).toBe("a\nb\nc\nd\n");
  });

  it("leaves Log.log's stream open, with no end and no error, when the connection drops mid-log", async () => {
    await fake.core.createNamespacedPod({
      namespace: NS,
      body: podOf("drop", printer(["a", "b", "c", "d"], 250)),
    });
    await waitForPod(fake.kube, "drop", (p) => p.status.phase === "Running");
    fake.kube.cutLogs({ afterLines: 2, abrupt: true });
    const log = await streamLog(fake, "drop", { follow: true });
    await waitFor("two lines", () => (log.text === "a\nb\n" ? true : undefined));
    await waitForPod(fake.kube, "drop", (p) => p.status.phase === "Succeeded");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log).toMatchObject({ text: "a\nb\n", ended: false, failed: false });
  });

  it("answers 400 while the container is being created", async () => {
    const body = podOf("slow", ["true"], { image: "fake/slow-pull:5000" });
    await fake.core.createNamespacedPod({ namespace: NS, body });
    await waitForPod(
      fake.kube,
      "slow",
      (p) => p.status.containerStatuses?.[0]?.state.waiting?.reason === "ContainerCreating",
    );
    const { code, status } = await apiError(fake.core.readNamespacedPodLog({ namespace: NS, name: "slow" }));
    expect(code).toBe(400);
    expect(status).toMatchObject({
      reason: "BadRequest",
      message: 'container "base" in pod "slow" is waiting to start: ContainerCreating',
    });
    // The Log class throws ApiException(400) too, but drops the body.
    const viaLog = await apiError(
      new Log(fake.kube.kubeConfig()).log(NS, "slow", "base", new PassThrough(), { follow: true }),
    );
    expect(viaLog.code).toBe(400);
  });

  it("answers 400 naming the pull failure while the image cannot be pulled", async () => {
    await fake.core.createNamespacedPod({
      namespace: NS,
      body: podOf("nopull", undefined, { image: "fake/pull-error:1" }),
    });
    await waitForPod(
      fake.kube,
      "nopull",
      (p) => p.status.containerStatuses?.[0]?.state.waiting?.reason === "ImagePullBackOff",
    );
    const { status } = await apiError(fake.core.readNamespacedPodLog({ namespace: NS, name: "nopull" }));
    expect(status.message).toBe(
      'container "base" in pod "nopull" is waiting to start: trying and failing to pull image',
    );
  });
});
