// Issue #16 point 6: a real `updraft run` (local executor) uploads each try's log, masked, to an
// S3-compatible store (s3rver) under <prefix>/<dag>/<run>/<task>/try-<n>.log; serves it from there
// once the local copy is gone, with the same ?offset/?limit pieces; retries while the store is down;
// and uploads after a kill -9 what the killed daemon had not.
import { readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseScrape } from "../metrics/scrape.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { S3RVER_ENV, type S3Store, startS3Store } from "../support/s3-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import type { Cleanup } from "../support/cleanup.ts";
import { type DaemonProcess, logDir, POLL, startDaemonProcess } from "../daemon/support/daemon-process.ts";

const SECRET = "hook-secret-5f2a9c7e";
const PREFIX = "team/logs";
const LINES = 120;

/** One task printing LINES lines, each with the webhook secret (a secret the daemon masks). */
function talkingDag(id: string): string {
  const script = `for (let i = 0; i < ${LINES}; i++) console.log("line " + i + " token=${SECRET} " + "x".repeat(i % 40));`;
  return `import { dag, pod } from "updraft";
export default dag({
  id: ${JSON.stringify(id)},
  schedule: null,
  tasks: [pod({ id: "talk", image: "node", command: ${JSON.stringify(["node", "-e", script])} })],
});
`;
}

async function startDaemon(
  cleanup: Cleanup,
  store: S3Store,
  folders: { dagsDir: string; stateDir: string },
  extraArgs: string[] = [],
): Promise<DaemonProcess> {
  const daemon = await startDaemonProcess(cleanup, {
    ...folders,
    extraArgs: [
      "--executor",
      "local",
      "--webhook-secret",
      SECRET,
      "--log-store",
      `s3://${store.bucket}/${PREFIX}/`,
      ...store.flags,
      ...extraArgs,
    ],
    env: S3RVER_ENV,
  });
  await daemon.waitForDags(["talker"]);
  return daemon;
}

async function runToEnd(daemon: DaemonProcess): Promise<string> {
  const triggered = await daemon.post("/api/dags/talker/runs");
  expect(triggered.status, triggered.text).toBe(201);
  const runId = triggered.body.runId as string;
  await daemon.waitForRun(runId, "success", (run) => run.state === "success");
  return runId;
}

const objectKey = (runId: string) => `${PREFIX}/talker/${runId}/talk/try-1.log`;

/** The log API's answers for a few ?offset/?limit pieces: text and next offset of each. */
async function pieces(daemon: DaemonProcess, runId: string): Promise<string[]> {
  const answers: string[] = [];
  for (const query of [
    "",
    "?offset=0&limit=100",
    "?offset=37&limit=500",
    "?offset=1000",
    "?offset=2000&limit=1",
  ]) {
    const response = await fetch(`${daemon.url}/api/runs/${runId}/tasks/talk/logs${query}`);
    answers.push(
      `${query} ${response.status} ${response.headers.get("x-log-next-offset")}\n${await response.text()}`,
    );
  }
  return answers;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function scrape(daemon: DaemonProcess) {
  return parseScrape((await daemon.request("/metrics")).text);
}

/**
 * The run's log object once the daemon counts its upload as done. s3rver writes an object's file
 * while the PUT streams in, so a GET during the upload reads a part of it (real S3 never shows a
 * partial object); the daemon's success count comes only after the PUT's answer.
 */
async function uploadedText(daemon: DaemonProcess, store: S3Store, runId: string, what: string) {
  await waitFor(
    what,
    async () =>
      ((await scrape(daemon)).value("updraft_log_uploads_total", { result: "success" }) ?? 0) >= 1
        ? true
        : undefined,
    POLL,
  );
  return store.text(objectKey(runId));
}

describe("task logs in object storage (--log-store)", () => {
  const cleanup = useCleanup("test");

  it("uploads a try's log masked under its key, and serves it from the store once the local copy is gone", async () => {
    const store = await startS3Store(cleanup);
    const folders = await daemonFolders(cleanup, "log-store", { "talker.ts": talkingDag("talker") });
    const daemon = await startDaemon(cleanup, store, folders);
    const runId = await runToEnd(daemon);
    const text = await uploadedText(daemon, store, runId, "the log object");
    expect(await store.keys()).toEqual([objectKey(runId)]);
    expect(text).toContain(`line ${LINES - 1} token=***`);
    expect(text).not.toContain(SECRET);
    const logFile = path.join(logDir(folders.stateDir, "talker", runId, "talk"), "try-1.log");
    expect(text).toBe(await readFile(logFile, "utf8"));

    const fromLocal = await pieces(daemon, runId);
    const pageLocal = await (await fetch(`${daemon.url}/runs/${runId}/tasks/talk/logs`)).text();
    await rm(logFile);
    const fromStore = await pieces(daemon, runId);
    expect(fromStore).toEqual(fromLocal);
    expect(fromStore[0]).toContain(`line ${LINES - 1} token=***`);
    const pageStore = await (await fetch(`${daemon.url}/runs/${runId}/tasks/talk/logs`)).text();
    const logPart = (html: string) => /<pre[^>]*>([\s\S]*?)<\/pre>/.exec(html)?.[1];
    expect(logPart(pageStore)).toBeDefined();
    expect(logPart(pageStore)).toEqual(logPart(pageLocal));
    expect(logPart(pageStore)).toContain(`line ${LINES - 1} token=***`);
    expect(pageStore).not.toContain(SECRET);
    // The store unreachable and the local copy gone: a retryable 503 naming the store, not a 500.
    await store.stop();
    const unreachable = await daemon.request(`/api/runs/${runId}/tasks/talk/logs`);
    expect(unreachable.status, unreachable.text).toBe(503);
    expect(unreachable.body.error.code).toBe("log_store_unavailable");
    await store.start();

    const metrics = await scrape(daemon);
    expect(metrics.value("updraft_log_uploads_total", { result: "success" })).toBe(1);
    expect(metrics.value("updraft_log_upload_pending", {})).toBe(0);
    // The AWS SDK's Node < 22 warning is silenced by the daemon (its documented variable).
    expect(daemon.output()).not.toContain("NodeVersionSupportWarning");
  });

  it("with --keep-local-logs deletes the uploaded local log and serves the stored one", async () => {
    const store = await startS3Store(cleanup);
    const folders = await daemonFolders(cleanup, "log-store-keep", { "talker.ts": talkingDag("talker") });
    const daemon = await startDaemon(cleanup, store, folders, ["--keep-local-logs", "1s"]);
    const runId = await runToEnd(daemon);
    const logFile = path.join(logDir(folders.stateDir, "talker", runId, "talk"), "try-1.log");
    await waitFor("the local log deleted", async () => ((await exists(logFile)) ? undefined : true), POLL);
    const stored = await store.text(objectKey(runId));
    const served = await daemon.request(`/api/runs/${runId}/tasks/talk/logs`);
    expect(served.status).toBe(200);
    expect(served.text).toBe(stored);
    expect(served.text).toContain(`line ${LINES - 1} token=***`);
  });

  it("retries while the store is down, keeps the local log (even past --keep-local-logs), and uploads it once the store is back", async () => {
    const store = await startS3Store(cleanup);
    await store.stop();
    const folders = await daemonFolders(cleanup, "log-store-down", { "talker.ts": talkingDag("talker") });
    const daemon = await startDaemon(cleanup, store, folders, ["--keep-local-logs", "1s"]);
    const runId = await runToEnd(daemon);
    // Two failures take over 1 s (backoff), so the log is past --keep-local-logs by then.
    await waitFor(
      "two failed upload attempts",
      async () =>
        ((await scrape(daemon)).value("updraft_log_uploads_total", { result: "error" }) ?? 0) >= 2
          ? true
          : undefined,
      POLL,
    );
    const logFile = path.join(logDir(folders.stateDir, "talker", runId, "talk"), "try-1.log");
    const local = await readFile(logFile, "utf8");
    expect((await stat(logFile)).mtimeMs).toBeLessThan(Date.now() - 1000);
    expect(await exists(`${logFile}.uploaded`)).toBe(false);
    expect((await scrape(daemon)).value("updraft_log_upload_pending", {})).toBe(1);
    await store.start();
    const text = await uploadedText(daemon, store, runId, "the log object after the store is back");
    expect(text).toBe(local);
    const metrics = await scrape(daemon);
    expect(metrics.value("updraft_log_uploads_total", { result: "success" })).toBe(1);
    expect(metrics.value("updraft_log_upload_pending", {})).toBe(0);
    // Uploaded now: the next sweep deletes the local copy.
    await waitFor(
      "the local log deleted once uploaded",
      async () => ((await exists(logFile)) ? undefined : true),
      POLL,
    );
  });

  it("uploads after a restart what a daemon killed (-9) between the try's end and the upload left", async () => {
    const store = await startS3Store(cleanup);
    await store.stop();
    const folders = await daemonFolders(cleanup, "log-store-kill", { "talker.ts": talkingDag("talker") });
    const first = await startDaemon(cleanup, store, folders);
    const runId = await runToEnd(first);
    await waitFor(
      "a failed upload attempt",
      async () =>
        ((await scrape(first)).value("updraft_log_uploads_total", { result: "error" }) ?? 0) >= 1
          ? true
          : undefined,
      POLL,
    );
    await first.kill9();
    await store.start();
    expect(await store.keys()).toEqual([]);
    const second = await startDaemon(cleanup, store, folders);
    const text = await uploadedText(second, store, runId, "the log object after the restart");
    expect(text).toContain(`line ${LINES - 1} token=***`);
    expect(text).not.toContain(SECRET);
    expect((await scrape(second)).value("updraft_log_uploads_total", { result: "success" })).toBe(1);
  });
});
