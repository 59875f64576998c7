import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import { createLogger } from "../../src/log/logger.ts";
import { type FailureMessage, FailureNotifier } from "../../src/scheduler/failure-notifier.ts";
import { Cleanup } from "../support/cleanup.ts";
import { dag, type HarnessOptions, PUBLIC_URL, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";

const cleanup = new Cleanup();

interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  body: unknown;
}

/** A webhook receiver on 127.0.0.1 that answers each request with the next status of `statuses` (then 200). */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; host: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        method: request.method ?? "",
        path: request.url ?? "",
        contentType: request.headers["content-type"],
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      response.statusCode = statuses.shift() ?? 200;
      response.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanup.defer(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, received };
}

/** A logger whose JSON lines are kept. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ secrets: [], destination }), lines };
}

const message: FailureMessage = {
  text: "updraft: task etl.load failed in run etl__manual__1 (try 2): exit code 1",
  dag: "etl",
  run: "etl__manual__1",
  task: "load",
  try: 2,
  reason: "exit code 1",
  logUrl: "http://127.0.0.1:8080/api/runs/etl__manual__1/tasks/load/logs?try=2",
};

describe("FailureNotifier", () => {
  afterEach(() => cleanup.run());

  it("posts the message as JSON: text, dag, run, task, try, reason, logUrl", async () => {
    const { url, received } = await receiver();
    const { log, lines } = capturedLogger();
    const notifier = new FailureNotifier(log, { baseDelayMs: 5 });
    notifier.notify([`${url}/hooks/T000/B000/secret`], message);
    await notifier.settled();
    expect(received).toEqual([
      { method: "POST", path: "/hooks/T000/B000/secret", contentType: "application/json", body: message },
    ]);
    expect(Object.keys(received[0]?.body as object)).toEqual([
      "text",
      "dag",
      "run",
      "task",
      "try",
      "reason",
      "logUrl",
    ]);
    expect(lines).toEqual([]);
  });

  it("retries a receiver that answers 500 twice, delivering on the third attempt", async () => {
    const { url, received } = await receiver([500, 500]);
    const { log, lines } = capturedLogger();
    const notifier = new FailureNotifier(log, { baseDelayMs: 5 });
    notifier.notify([`${url}/hook`], message);
    await notifier.settled();
    expect(received.map((request) => [request.path, request.body])).toEqual([
      ["/hook", message],
      ["/hook", message],
      ["/hook", message],
    ]);
    expect(lines).toEqual([]);
  });

  it("logs a warning naming the host, not the URL's path, when the receiver is unreachable, and never throws", async () => {
    const { url, host } = await receiver();
    await cleanup.run(); // closes the receiver: its port now refuses connections
    const { log, lines } = capturedLogger();
    const notifier = new FailureNotifier(log, { baseDelayMs: 5 });
    const deadUrl = `${url}/services/T0/B0/xoxb-secret-path`;
    expect(notifier.notify([deadUrl], message)).toBeUndefined();
    // notify() only starts the delivery: nothing has been attempted to completion yet.
    expect(lines).toEqual([]);
    await notifier.settled();
    expect(lines).toHaveLength(1);
    const warning = JSON.parse(lines[0] ?? "{}");
    expect(warning).toMatchObject({
      level: 40,
      msg: "failure notification not delivered",
      dag: "etl",
      run: "etl__manual__1",
      task: "load",
      host,
      error: "fetch failed",
    });
    expect(lines[0]).not.toContain("/services/T0/B0");
    expect(lines[0]).not.toContain("xoxb-secret-path");
  });

  it("never logs a URL's credentials or path, even when the error message quotes the URL", async () => {
    const { url, host, received } = await receiver();
    const { log, lines } = capturedLogger();
    const notifier = new FailureNotifier(log, { baseDelayMs: 1 });
    const withCredentials = url.replace("http://", "http://hook-user:hook-password@");
    notifier.notify([`${withCredentials}/hooks/credential-path`, "not a url/invalid-path"], message);
    await notifier.settled();
    expect(received).toEqual([]);
    expect(lines.map((line) => JSON.parse(line).host).sort()).toEqual(["(invalid URL)", host]);
    for (const secret of ["hook-password", "hook-user", "credential-path", "invalid-path"])
      expect(lines.join("\n")).not.toContain(secret);
  });

  it("posts once to a URL given twice (a DAG's onFailure equal to --notify-url), skipping empty ones", async () => {
    const { url, received } = await receiver();
    const { log } = capturedLogger();
    const notifier = new FailureNotifier(log, { baseDelayMs: 5 });
    notifier.notify([`${url}/same`, null, undefined, `${url}/same`], message);
    await notifier.settled();
    expect(received.map((request) => request.path)).toEqual(["/same"]);
  });
});

describe("failure notifications from the scheduler", () => {
  const ON_FAILURE = "https://hooks.example.test/services/T0/B0/secret";
  const { harnesses } = useSchedulerLoop("2026-05-01T10:00:30.000Z", { cleanup });
  let posts: Array<{ url: string; body: unknown }>;
  const recordingFetch: typeof fetch = async (input, init) => {
    posts.push({ url: String(input), body: JSON.parse(String(init?.body)) });
    return new Response(null, { status: 200 });
  };

  beforeEach(() => {
    posts = [];
  });

  const started = async (options: Partial<HarnessOptions>) => {
    const harness = await schedulerHarness({
      stateDir: await cleanup.tempDir("notify"),
      dags: [dag("notifying", { retries: 1, retryDelay: "10s", onFailure: { url: ON_FAILURE } })],
      fetch: recordingFetch,
      ...options,
    });
    harnesses.push(harness);
    await harness.start();
    return harness;
  };
  const key = (runId: string, tryNumber: number): TaskKey => ({
    dagId: "notifying",
    runId,
    taskId: "only",
    try: tryNumber,
  });

  it("posts exactly one notification to the DAG's onFailure URL when a task fails for good", async () => {
    const h = await started({ notifyUrl: ON_FAILURE });
    const run = await h.scheduler.trigger("notifying", {});
    await h.settle();
    h.executor.fail(key(run.id, 1));
    await h.settle();
    expect(posts).toEqual([]);

    await h.advance(10_000);
    expect(h.executor.startedKeys()).toEqual([key(run.id, 1), key(run.id, 2)]);
    h.executor.fail(key(run.id, 2), 7);
    await h.settle();
    await h.notifier.settled();
    expect(h.run(run.id).state).toBe("failed");
    expect(posts).toEqual([
      {
        url: ON_FAILURE,
        body: {
          text: `updraft: task notifying.only failed in run ${run.id} (try 2): exit code 7`,
          dag: "notifying",
          run: run.id,
          task: "only",
          try: 2,
          reason: "exit code 7",
          logUrl: `${PUBLIC_URL}/api/runs/${encodeURIComponent(run.id)}/tasks/only/logs?try=2`,
        },
      },
    ]);
  });

  it("posts nothing for a failed try that is retried and then succeeds", async () => {
    const h = await started({});
    const run = await h.scheduler.trigger("notifying", {});
    await h.settle();
    h.executor.fail(key(run.id, 1));
    await h.settle();
    await h.advance(10_000);
    h.executor.finish(key(run.id, 2));
    await h.settle();
    await h.notifier.settled();
    expect(h.run(run.id).state).toBe("success");
    expect(posts).toEqual([]);
  });

  it("keeps scheduling while a notification cannot be delivered", async () => {
    const hanging: typeof fetch = (input) => {
      posts.push({ url: String(input), body: null });
      return new Promise<Response>(() => {});
    };
    const h = await started({ fetch: hanging, dags: [dag("notifying", { onFailure: { url: ON_FAILURE } })] });
    const first = await h.scheduler.trigger("notifying", {});
    await h.settle();
    h.executor.fail(key(first.id, 1));
    await h.settle();
    expect(h.run(first.id).state).toBe("failed");
    expect(posts.map((post) => post.url)).toEqual([ON_FAILURE]);

    await h.advance(1_000);
    const second = await h.scheduler.trigger("notifying", {});
    await h.settle();
    expect(h.executor.startedKeys()).toEqual([key(first.id, 1), key(second.id, 1)]);
  });
});
