/**
 * LogFollower against a fake KubeApi (followLog and readLog only): streams that end, streams that
 * are cut, reconnects from `sinceTime` that repeat lines, the final read, and adoption after a
 * restart through the cursor file. The log file must hold every line exactly once, in order.
 */
import { once } from "node:events";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { finished, PassThrough, Readable, type Writable } from "node:stream";
import { ApiException } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeApi } from "../../src/kubernetes/kube-api.ts";
import { LogFollower, normalizeTimestamp } from "../../src/kubernetes/log-follower.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { Cleanup } from "../support/cleanup.ts";
import { longestLine, rssSampler, slice } from "../support/file-slices.ts";
import { waitFor } from "../support/wait-for.ts";

const RECONNECT_MS = 20;
/** How long finish() waits for a live stream to end by itself. */
const DRAIN_MS = 100;
const NAMESPACE = "jobs";
const POD = "node-jobs-test-task-44b3621b-1";
const CONTAINER = "base";

interface Entry {
  /** As the kubelet writes it: RFC 3339 with nanoseconds, trailing zeros trimmed. */
  ts: string;
  text: string;
}

/** The container's whole log. Lines 3-5 and 7-8 share a timestamp, as fast writers' lines do. */
const LOG: Entry[] = [
  { ts: "2026-11-21T20:08:32.1Z", text: "starting job" },
  { ts: "2026-11-21T20:08:32.100000001Z", text: "connecting to db as orders_rw" },
  { ts: "2026-11-21T20:08:33Z", text: "batch 1" },
  { ts: "2026-11-21T20:08:33Z", text: "batch 2" },
  { ts: "2026-11-21T20:08:33Z", text: "batch 3" },
  { ts: "2026-11-21T20:08:33.5Z", text: "halfway: 1042 orders" },
  { ts: "2026-11-21T20:08:34.25Z", text: "batch 4" },
  { ts: "2026-11-21T20:08:34.25Z", text: "batch 4" },
  { ts: "2026-11-21T20:08:35Z", text: '{"__updraft_result__": "not really"} done' },
];
const ALL_TEXT = LOG.map((e) => `${e.text}\n`).join("");
const firstLines = (n: number) =>
  LOG.slice(0, n)
    .map((e) => `${e.text}\n`)
    .join("");

const wire = (entry: Entry) => `${entry.ts} ${entry.text}\n`;

/** One followLog request: the response body is piped into the sink, as client-node's Log does. */
class FollowStream {
  readonly source = new PassThrough();
  aborted = false;
  #sent = 0;

  constructor(
    private readonly api: FakeKube,
    readonly sinceTime: string | undefined,
    sink: Writable,
  ) {
    this.source.pipe(sink);
  }

  /** The log lines this request would return: those at or after sinceTime (kubelet's rule). */
  get available(): Entry[] {
    const since = this.sinceTime === undefined ? Number.NEGATIVE_INFINITY : Date.parse(this.sinceTime);
    return this.api.log.filter((entry) => Date.parse(entry.ts) >= since);
  }

  deliver(count: number): void {
    for (const entry of this.available.slice(this.#sent, this.#sent + count)) this.write(wire(entry));
    this.#sent += count;
  }

  write(data: string | Buffer): void {
    this.source.write(data);
  }

  /** The server ended the response (pipe calls the sink's end). */
  end(): void {
    this.source.end();
  }

  /** The connection dropped mid-response: node-fetch destroys the body with "Premature close". */
  cut(): void {
    this.source.destroy(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
  }
}

class FakeKube implements Pick<KubeApi, "followLog" | "readLog"> {
  log: Entry[] = [...LOG];
  readonly follows: FollowStream[] = [];
  readonly followCalls: Array<string | undefined> = [];
  readonly reads: Array<string | undefined> = [];
  /** Follow requests to refuse, as the API does while the container is still being created. */
  refuseFollows = 0;
  /** When set, followLog waits for `releaseFollow` before answering. */
  holdFollows = false;
  #held: Array<() => void> = [];
  readFails: unknown;
  /** When set, abort() is noted but the response keeps flowing (an abort that comes too late). */
  abortIsLate = false;

  get api(): KubeApi {
    return this as unknown as KubeApi;
  }

  async followLog(
    namespace: string,
    pod: string,
    container: string,
    sinceTime: string | undefined,
    sink: Writable,
  ): Promise<{ abort(): void }> {
    expect([namespace, pod, container]).toEqual([NAMESPACE, POD, CONTAINER]);
    this.followCalls.push(sinceTime);
    if (this.refuseFollows > 0) {
      this.refuseFollows--;
      throw new ApiException(400, "Error occurred in log request", undefined, {});
    }
    if (this.holdFollows) await new Promise<void>((resolve) => this.#held.push(resolve));
    const stream = new FollowStream(this, sinceTime, sink);
    this.follows.push(stream);
    return {
      abort: () => {
        stream.aborted = true;
        if (this.abortIsLate) return;
        stream.source.destroy(Object.assign(new Error("The operation was aborted."), { name: "AbortError" }));
      },
    };
  }

  releaseFollow(): void {
    this.#held.shift()?.();
  }

  get heldFollows(): number {
    return this.#held.length;
  }

  async readLog(
    namespace: string,
    pod: string,
    container: string,
    sinceTime: string | undefined,
    sink: Writable,
  ): Promise<void> {
    expect([namespace, pod, container]).toEqual([NAMESPACE, POD, CONTAINER]);
    this.reads.push(sinceTime);
    if (this.readFails) throw this.readFails;
    const since = sinceTime === undefined ? Number.NEGATIVE_INFINITY : Date.parse(sinceTime);
    const text = this.log
      .filter((entry) => Date.parse(entry.ts) >= since)
      .map(wire)
      .join("");
    // As client-node's Log does: the body is piped into the sink, which the caller waits on.
    const ended = new Promise<void>((resolve, reject) =>
      finished(sink, (error) => (error ? reject(error) : resolve())),
    );
    Readable.from([Buffer.from(text)]).pipe(sink);
    await ended;
  }
}

let cleanup: Cleanup;
let kube: FakeKube;
let logFile: string;

beforeEach(async () => {
  cleanup = new Cleanup();
  kube = new FakeKube();
  logFile = path.join(await cleanup.tempDir("log-follower"), "logs", "try-1.log");
  await mkdir(path.dirname(logFile), { recursive: true });
});

afterEach(() => cleanup.run());

function follower(): LogFollower {
  const created = new LogFollower(
    kube.api,
    { namespace: NAMESPACE, pod: POD, container: CONTAINER, logFile },
    RECONNECT_MS,
    DRAIN_MS,
  );
  cleanup.defer(() => created.stop());
  return created;
}

async function fileText(file = logFile): Promise<string> {
  return readFile(file, "utf8").catch(() => "");
}

function waitForText(expected: string): Promise<true> {
  return waitFor(
    `the log file to read ${JSON.stringify(expected)}`,
    async () => ((await fileText()) === expected ? true : undefined),
    { timeoutMs: 5_000, everyMs: 5, details: () => fileText() },
  );
}

function waitForFollow(index: number): Promise<FollowStream> {
  return waitFor(`follow request #${index + 1}`, () => kube.follows[index], {
    timeoutMs: 5_000,
    everyMs: 5,
    details: () => ({ calls: kube.followCalls }),
  });
}

/** Gives a wrongly scheduled reconnect several chances to happen. */
const settle = () => new Promise((resolve) => setTimeout(resolve, RECONNECT_MS * 5));

describe("normalizeTimestamp", () => {
  it.each([
    ["2026-11-21T20:08:33", undefined, "2026-11-21T20:08:33.000000000Z"],
    ["2026-11-21T20:08:33", "1", "2026-11-21T20:08:33.100000000Z"],
    ["2026-11-21T20:08:33", "25", "2026-11-21T20:08:33.250000000Z"],
    ["2026-11-21T20:08:33", "123456789", "2026-11-21T20:08:33.123456789Z"],
    ["2026-11-21T20:08:33", "1234567891", "2026-11-21T20:08:33.123456789Z"],
  ])("%s + %j → %s", (seconds, fraction, expected) => {
    expect(normalizeTimestamp(seconds, fraction)).toBe(expected);
  });

  it("makes string order time order, which the kubelet's trimmed stamps are not", () => {
    // In time order. As raw strings "33.5Z" sorts before "33Z" ('.' < 'Z') and ".1Z" after ".100000001Z".
    const raw = [
      "2026-11-21T20:08:32.1Z",
      "2026-11-21T20:08:32.100000001Z",
      "2026-11-21T20:08:33Z",
      "2026-11-21T20:08:33.000000001Z",
      "2026-11-21T20:08:33.5Z",
      "2026-11-21T20:08:34Z",
    ];
    expect([...raw].sort()).not.toEqual(raw);
    const normalized = raw.map((stamp) => {
      const match = /^(.{19})(?:\.(\d+))?Z$/.exec(stamp);
      return normalizeTimestamp(match?.[1] ?? "", match?.[2]);
    });
    expect([...normalized].sort()).toEqual(normalized);
    expect(new Set(normalized).size).toBe(raw.length);
  });
});

describe("LogFollower", () => {
  it("resumes after the stream ends and after it is cut: every line once, in order", async () => {
    const f = follower();
    f.start();

    const first = await waitForFollow(0);
    expect(first.sinceTime).toBeUndefined();
    first.deliver(4);
    await waitForText(firstLines(4));
    first.end();

    // Asks again from the last second seen; the answer repeats batch 1 and 2 (same stamp as batch 3).
    const second = await waitForFollow(1);
    expect(second.sinceTime).toBe("2026-11-21T20:08:33Z");
    expect(second.available.map((e) => e.text)).toEqual(LOG.slice(2).map((e) => e.text));
    second.deliver(5); // batch 1, batch 2 (repeats), batch 3, halfway, the first "batch 4"
    await waitForText(firstLines(7));
    second.cut();

    // The answer repeats the first "batch 4"; the second one, with the same stamp, is new.
    const third = await waitForFollow(2);
    expect(third.sinceTime).toBe("2026-11-21T20:08:34Z");
    third.deliver(3);
    await waitForText(ALL_TEXT);

    await f.finish();
    expect(kube.reads).toEqual(["2026-11-21T20:08:35Z"]);
    expect(third.aborted).toBe(true);
    await settle();
    expect(await fileText()).toBe(ALL_TEXT);
    expect(kube.followCalls).toEqual([undefined, "2026-11-21T20:08:33Z", "2026-11-21T20:08:34Z"]);
  });

  it("finish() stops following and appends only the lines the final read adds", async () => {
    const f = follower();
    f.start();
    const stream = await waitForFollow(0);
    stream.deliver(5); // up to batch 3; the stream lags behind the container, which has ended
    await waitForText(firstLines(5));

    await f.finish();
    expect(stream.aborted).toBe(true);
    expect(kube.reads).toEqual(["2026-11-21T20:08:33Z"]);
    expect(await fileText()).toBe(ALL_TEXT);
    await settle();
    expect(kube.followCalls).toEqual([undefined]);
    expect(await fileText()).toBe(ALL_TEXT);
  });

  it("does not write half a line when the stream ends mid-line; the reconnect brings it whole", async () => {
    const f = follower();
    f.start();
    const first = await waitForFollow(0);
    first.deliver(2);
    first.write("2026-11-21T20:08:33Z bat");
    await waitForText(firstLines(2));
    first.end();

    const second = await waitForFollow(1);
    expect(second.sinceTime).toBe("2026-11-21T20:08:32Z");
    second.deliver(LOG.length);
    await waitForText(ALL_TEXT);
    await f.finish();
    expect(await fileText()).toBe(ALL_TEXT);
  });

  it("does not write half a line at finish(); the final read brings it whole", async () => {
    const f = follower();
    f.start();
    const stream = await waitForFollow(0);
    stream.deliver(2);
    stream.write("2026-11-21T20:08:33Z bat");
    await waitForText(firstLines(2));
    await f.finish();
    expect(kube.reads).toEqual(["2026-11-21T20:08:32Z"]);
    expect(await fileText()).toBe(ALL_TEXT);
  });

  it("keeps the unfinished line when the pod is already gone at finish()", async () => {
    kube.readFails = new ApiException(404, 'pods "node-jobs-test-task-44b3621b-1" not found', undefined, {});
    const f = follower();
    f.start();
    const stream = await waitForFollow(0);
    stream.deliver(2);
    stream.write("2026-11-21T20:08:33Z batch 1");
    await waitForText(firstLines(2));
    await f.finish();
    expect(await fileText()).toBe(`${firstLines(2)}batch 1\n`);
  });

  it("decodes characters split across chunks", async () => {
    kube.log = [{ ts: "2026-11-21T20:08:36Z", text: "café ✓ fertig — 完了" }];
    const f = follower();
    f.start();
    const stream = await waitForFollow(0);
    const bytes = Buffer.from(wire(kube.log[0] as Entry), "utf8");
    // Cut inside "é" (2 bytes), "✓" (3 bytes) and "完" (3 bytes).
    const cuts = [bytes.indexOf(Buffer.from("é")) + 1, bytes.indexOf(Buffer.from("✓")) + 2];
    cuts.push(bytes.indexOf(Buffer.from("完")) + 1);
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      stream.write(bytes.subarray(from, cut));
      from = cut;
    }
    await waitForText("café ✓ fertig — 完了\n");
    await f.finish();
    expect(await fileText()).toBe("café ✓ fertig — 完了\n");
  });

  it("retries while the API refuses the follow (container still being created)", async () => {
    kube.refuseFollows = 2;
    const f = follower();
    f.start();
    const stream = await waitForFollow(0);
    expect(kube.followCalls).toEqual([undefined, undefined, undefined]);
    stream.deliver(LOG.length);
    await waitForText(ALL_TEXT);
    await f.finish();
    expect(await fileText()).toBe(ALL_TEXT);
  });

  it("aborts a stream that answers after finish()", async () => {
    kube.holdFollows = true;
    const f = follower();
    f.start();
    await waitFor("a follow request on its way", () => (kube.heldFollows === 1 ? true : undefined));
    await f.finish();
    expect(await fileText()).toBe(ALL_TEXT);

    kube.releaseFollow();
    const late = await waitForFollow(0);
    await waitFor("the late stream to be aborted", () => (late.aborted ? true : undefined), {
      timeoutMs: 5_000,
    });
    await settle();
    expect(kube.followCalls).toEqual([undefined]);
    expect(await fileText()).toBe(ALL_TEXT);
  });

  it("ignores lines a stream still delivers after finish()", async () => {
    // A fast task: the pod is done by the time its stream answers; finish() has read everything.
    kube.holdFollows = true;
    kube.abortIsLate = true;
    const f = follower();
    f.start();
    await waitFor("a follow request on its way", () => (kube.heldFollows === 1 ? true : undefined));
    await f.finish();
    expect(await fileText()).toBe(ALL_TEXT);

    kube.releaseFollow();
    const late = await waitForFollow(0);
    late.deliver(LOG.length);
    late.end();
    await settle();
    expect(await fileText()).toBe(ALL_TEXT);
    expect(kube.followCalls).toEqual([undefined]);
  });

  it("lets a new follower (adoption after a restart) carry on from the cursor without duplicates", async () => {
    const before = follower();
    before.start();
    const first = await waitForFollow(0);
    first.deliver(4); // up to batch 2
    await waitForText(firstLines(4));
    await waitFor("the cursor after batch 2", async () => {
      const cursor = await fileText(`${logFile}.cursor`);
      return cursor === '{"last":"2026-11-21T20:08:33.000000000Z","seenAtLast":2}' ? true : undefined;
    });
    before.stop(); // the daemon goes away without a final read
    expect(first.aborted).toBe(true);

    const after = follower();
    after.start();
    const second = await waitForFollow(1);
    expect(second.sinceTime).toBe("2026-11-21T20:08:33Z");
    second.deliver(LOG.length);
    await waitForText(ALL_TEXT);
    await after.finish();
    expect(kube.reads).toEqual(["2026-11-21T20:08:35Z"]);
    expect(await fileText()).toBe(ALL_TEXT);
    expect(await fileText(`${logFile}.cursor`)).toBe(
      '{"last":"2026-11-21T20:08:35.000000000Z","seenAtLast":1}',
    );
  });

  it("an adopted follower whose stream is gone gets the rest from the final read", async () => {
    const before = follower();
    before.start();
    (await waitForFollow(0)).deliver(6);
    await waitForText(firstLines(6));
    await waitFor("the cursor after halfway", async () =>
      (await fileText(`${logFile}.cursor`)).includes('"2026-11-21T20:08:33.500000000Z"') ? true : undefined,
    );
    before.stop();

    await follower().finish();
    expect(kube.reads).toEqual(["2026-11-21T20:08:33Z"]);
    expect(await fileText()).toBe(ALL_TEXT);
  });
});

describe("LogFollower with output of any size", () => {
  const MIB = 1024 * 1024;

  it("cuts a 600 MB line into 1 MiB pieces marked in the log, holding no more than a piece in memory", async () => {
    kube.log = [];
    const f = follower();
    f.start();
    const stream = await waitForFollow(0);
    const rss = rssSampler();
    cleanup.defer(rss.stop);
    const chunk = Buffer.alloc(16 * MIB, "a");
    stream.write("2026-11-21T20:08:36Z ");
    for (let sent = 0; sent < 600_000_000; sent += chunk.length) {
      // The sink's pace: a follower that waits for the disk makes the response wait too.
      if (!stream.source.write(chunk)) await once(stream.source, "drain");
    }
    stream.write("\n2026-11-21T20:08:37Z after the long line\n");
    stream.end();
    await waitFor("the line after the long one", async () =>
      (await slice(logFile, 100, -100)).endsWith("\nafter the long line\n") ? true : undefined,
    );
    await f.finish();
    rss.stop();
    expect(rss.growth(), "RSS growth while following a 600 MB line").toBeLessThan(128 * MIB);
    expect(await longestLine(logFile)).toBeLessThanOrEqual(MIB);
    const lines = (await slice(logFile, 2 * MIB + 100)).split("\n");
    expect(lines[0]).toMatch(/^a+$/);
    expect(lines[1]).toBe(`[updraft] line cut at ${MIB} bytes`);
    expect(lines[2]).toMatch(/^a+$/);
  }, 180_000);

  it("masks secrets in the lines it writes", async () => {
    const secret = "kube-task-printed-secret-123";
    kube.log = [{ ts: "2026-11-21T20:08:36Z", text: `token=${secret} and ${encodeURIComponent(secret)}` }];
    const f = new LogFollower(
      kube.api,
      { namespace: NAMESPACE, pod: POD, container: CONTAINER, logFile },
      RECONNECT_MS,
      DRAIN_MS,
      { mask: new SecretMask([secret]) },
    );
    cleanup.defer(() => f.stop());
    f.start();
    (await waitForFollow(0)).deliver(1);
    await waitForText("token=*** and ***\n");
    await f.finish();
    expect(await fileText()).toBe("token=*** and ***\n");
  });

  it("masks a secret that straddles the cut of a long line whole (neither half is written)", async () => {
    const secret = "kube-secret-across-the-cut-456";
    // Cut at 64 bytes of the wire line ("<stamp> " is 21 of them): the secret starts 10 before the cut.
    kube.log = [{ ts: "2026-11-21T20:08:36Z", text: `${"x".repeat(33)}${secret} end` }];
    const f = new LogFollower(
      kube.api,
      { namespace: NAMESPACE, pod: POD, container: CONTAINER, logFile },
      RECONNECT_MS,
      DRAIN_MS,
      { mask: new SecretMask([secret]), maxLineBytes: 64 },
    );
    cleanup.defer(() => f.stop());
    f.start();
    (await waitForFollow(0)).deliver(1);
    await waitFor("the end of the long line", async () =>
      (await fileText()).endsWith(" end\n") ? true : undefined,
    );
    await f.finish();
    const text = await fileText();
    expect(text).toContain("[updraft] line cut at 64 bytes");
    expect(text).not.toContain(secret.slice(0, 10));
    expect(text).not.toContain(secret.slice(10));
    expect(text).toContain("*** end\n");
  });
});
