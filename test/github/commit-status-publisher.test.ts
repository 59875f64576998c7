import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.ts";
import { CommitStatusClient, type CommitStatus } from "../../src/github/commit-status-client.ts";
import { CommitStatusPublisher, type PublishResult } from "../../src/github/commit-status-publisher.ts";
import { PostedCommits } from "../../src/github/posted-commits.ts";
import { durableStateWriter } from "../../src/store/durable-write.ts";
import type { SyncRecord } from "../../src/sync/sync-status.ts";
import { fakeGitHub } from "../support/fake-github.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const TOKEN = "ghp_publisherToken0123456789";
const repo = { owner: "acme", name: "dags" };

function record(n: number, ok = true): SyncRecord {
  return {
    at: new Date(0).toISOString(),
    sha: String(n).padStart(40, "0"),
    previousSha: null,
    ok,
    error: null,
    durationMs: 1,
    changes: { added: ["a"], updated: [], removed: [] },
    loaded: { dags: 1, importErrors: 0, firstError: null },
  };
}

describe("CommitStatusPublisher", () => {
  const cleanup = useCleanup();
  const parts = async () => {
    const counts: PublishResult[] = [];
    const logged: Array<{ level: string; message: string }> = [];
    const levels = new Map([
      [30, "info"],
      [40, "warn"],
      [50, "error"],
    ]);
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) {
          const entry = JSON.parse(line) as { level: number; msg: string };
          logged.push({ level: levels.get(entry.level) ?? String(entry.level), message: entry.msg });
        }
        done();
      },
    });
    const log = createLogger({ destination, pretty: false });
    const posted = new PostedCommits(await cleanup.tempDir("posted"), durableStateWriter);
    return { counts, logged, log, posted, count: (result: PublishResult) => counts.push(result) };
  };

  it("explains a refused token once and counts every refusal", async () => {
    const github = await fakeGitHub(cleanup, TOKEN);
    const { counts, logged, log, posted, count } = await parts();
    const client = new CommitStatusClient({
      apiUrl: github.url,
      repo,
      token: "ghp_notTheRightToken",
      now: () => 0,
      sleep: async () => undefined,
    });
    const publisher = new CommitStatusPublisher({ client, posted, repo, log, publicUrl: undefined, count });
    for (const n of [1, 2, 3]) publisher.add(record(n));
    await waitFor("three refusals", () => (counts.length === 3 ? counts : undefined));
    expect(counts).toEqual(["unauthorized", "unauthorized", "unauthorized"]);
    const errors = logged.filter((entry) => entry.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain("repo:status");
    expect(github.posts).toEqual([]);
    await publisher.stop();
  });

  it("keeps the newest statuses when more wait than the queue holds, and never blocks add", async () => {
    const { counts, log, posted, count } = await parts();
    const sent: CommitStatus[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const client = {
      post: async (status: CommitStatus) => {
        await gate;
        sent.push(status);
        return "posted" as const;
      },
    };
    const publisher = new CommitStatusPublisher({
      client,
      posted,
      repo,
      log,
      publicUrl: undefined,
      count,
      maxQueued: 3,
    });
    for (let n = 1; n <= 8; n++) publisher.add(record(n));
    release();
    await waitFor("the queue drained", () => (sent.length === 3 ? sent : undefined));
    // All eight were added before the first post began: the three newest stayed.
    expect(sent.map((status) => Number(status.sha))).toEqual([6, 7, 8]);
    expect(counts.filter((result) => result === "dropped")).toHaveLength(5);
    publisher.add(record(8));
    await publisher.stop();
    expect(sent).toHaveLength(3);
  });

  it("posts nothing for a sync that failed before loading its commit", async () => {
    const { log, posted, count, counts } = await parts();
    const sent: CommitStatus[] = [];
    const client = { post: async (status: CommitStatus) => (sent.push(status), "posted" as const) };
    const publisher = new CommitStatusPublisher({ client, posted, repo, log, publicUrl: undefined, count });
    const { loaded: _, ...fetchFailed } = record(1, false);
    publisher.add({ ...fetchFailed, error: "fatal: could not read from remote" });
    publisher.add({ ...record(2), sha: null });
    await publisher.stop();
    expect(sent).toEqual([]);
    expect(counts).toEqual([]);
  });
});
