import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SyncRecord } from "../../src/sync/sync-status.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { dagModule } from "../support/dag-sources.ts";
import { createGitRemote, type GitRemote } from "../support/git-remote.ts";
import { pushPayload, webhookRequest } from "../support/github-webhook.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

const SECRET = "webhook-secret-for-tests";

// Polling every hour: within a test, only webhooks make the daemon sync.
describe("POST /webhooks/github on a daemon following main", () => {
  const cleanup = useCleanup("file");
  let remote: GitRemote;
  let daemon: TestDaemon;

  beforeAll(async () => {
    remote = await createGitRemote(await cleanup.tempDir("webhook"), { "alpha.ts": dagModule("alpha") });
    daemon = await startTestDaemon(cleanup, [
      "--repo",
      remote.bare,
      "--branch",
      "main",
      "--interval",
      "1h",
      "--webhook-secret",
      SECRET,
    ]);
    await daemon.waitForIdle();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const deliver = (event: string, payload: unknown, signature: string | { header: string } | null) =>
    daemon.request("/webhooks/github", webhookRequest(event, payload, signature));

  /** Asserts that nothing synced since `before` was taken: no sync started, none recorded. */
  async function expectNoSyncSince(before: {
    nextSyncAt: string | null;
    records: number;
    attempted?: string;
  }) {
    const status = await daemon.status();
    expect(status.sync.nextSyncAt).toBe(before.nextSyncAt);
    expect(status.sync.lastAttemptedCommit?.sha).toBe(before.attempted);
    expect(await daemon.syncs()).toHaveLength(before.records);
  }

  async function snapshot() {
    const status = await daemon.waitForIdle();
    return {
      nextSyncAt: status.sync.nextSyncAt,
      records: (await daemon.syncs()).length,
      attempted: status.sync.lastAttemptedCommit?.sha,
    };
  }

  it("syncs at once on a signed push to the followed branch", async () => {
    const sha = await remote.change("add beta", { "beta.ts": dagModule("beta") });
    const response = await deliver("push", pushPayload("main", { after: sha }), SECRET);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ accepted: true });
    const record = await daemon.waitForSync(sha);
    expect(record).toMatchObject({ ok: true, changes: { added: ["beta"], updated: [], removed: [] } });
    expect((await daemon.dags()).map((d) => d.id)).toEqual(["alpha", "beta"]);
  });

  it("answers 401 and does not sync when the signature is missing or wrong", async () => {
    const sha = await remote.change("edit beta", { "beta.ts": dagModule("beta", { echo: "v2" }) });
    const before = await snapshot();
    const syncNow = vi.spyOn(daemon.daemon.source, "syncNow");
    const payload = pushPayload("main", { after: sha });
    const tampered = JSON.stringify({ ...payload, ref: "refs/heads/main", pusher: { name: "mallory" } });
    const deliveries = [
      webhookRequest("push", payload, null),
      webhookRequest("push", payload, "not-the-secret"),
      webhookRequest("push", payload, { header: "sha256=" }),
      webhookRequest("push", payload, { header: "sha1=0123456789abcdef0123456789abcdef01234567" }),
      // Signed correctly, but for another body.
      { ...webhookRequest("push", payload, SECRET), body: tampered },
    ];
    for (const init of deliveries) {
      const response = await daemon.request("/webhooks/github", init);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe("unauthorized");
    }
    expect(syncNow).not.toHaveBeenCalled();
    await expectNoSyncSince(before);

    // The same push, signed, does sync: the deliveries above were refused for their signatures only.
    expect((await deliver("push", payload, SECRET)).status).toBe(202);
    expect(syncNow).toHaveBeenCalledTimes(1);
    expect((await daemon.waitForSync(sha)).changes.updated).toEqual(["beta"]);
  });

  it("answers a ping with 200 and does not sync", async () => {
    const before = await snapshot();
    const syncNow = vi.spyOn(daemon.daemon.source, "syncNow");
    const response = await deliver("ping", { zen: "Keep it logically awesome.", hook_id: 1 }, SECRET);
    expect(response.status).toBe(200);
    expect(syncNow).not.toHaveBeenCalled();
    await expectNoSyncSince(before);
  });

  it("ignores a push to another branch (202, no sync)", async () => {
    const other = await remote.change("feature work", { "gamma.ts": dagModule("gamma") }, "feature");
    const before = await snapshot();
    const syncNow = vi.spyOn(daemon.daemon.source, "syncNow");
    const response = await deliver("push", pushPayload("feature", { after: other }), SECRET);
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBe(false);
    expect(syncNow).not.toHaveBeenCalled();
    await expectNoSyncSince(before);
    expect((await daemon.dags()).map((d) => d.id)).toEqual(["alpha", "beta"]);
  });

  it("serializes the syncs of 10 webhooks delivered at once and ends at the remote head", async () => {
    const before = await snapshot();
    const appliedBefore = (await daemon.status()).sync.lastAppliedCommit?.sha;
    const first = await remote.change("burst 1", { "delta.ts": dagModule("delta") });
    const firstHalf = Array.from({ length: 5 }, () =>
      deliver("push", pushPayload("main", { after: first }), SECRET),
    );
    const second = await remote.change("burst 2", { "delta.ts": dagModule("delta", { echo: "v2" }) });
    const secondHalf = Array.from({ length: 5 }, () =>
      deliver("push", pushPayload("main", { after: second }), SECRET),
    );
    const responses = await Promise.all([...firstHalf, ...secondHalf]);
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));

    await daemon.waitForSync(second);
    const idle = await daemon.waitForIdle();
    expect(idle.sync.lastAppliedCommit?.sha).toBe(await remote.head());
    expect(idle.sync.lastAppliedCommit?.sha).toBe(second);

    const burst = (await daemon.syncs()).slice(before.records);
    expect(burst.length).toBeGreaterThanOrEqual(1);
    expect(burst.length).toBeLessThanOrEqual(3);
    expect(burst.every((r) => r.ok)).toBe(true);
    // Serialized syncs chain: each starts from the commit the one before it applied.
    expect(burst.map((r) => r.previousSha)).toEqual([appliedBefore, ...burst.slice(0, -1).map((r) => r.sha)]);
    for (const [earlier, later] of pairs(burst)) {
      expect(Date.parse(earlier.at) + earlier.durationMs).toBeLessThanOrEqual(Date.parse(later.at) + 1);
    }
    expect((await daemon.dag("delta")).definition.tasks[0]?.command).toEqual(["echo", "v2"]);
  });
});

function pairs(records: readonly SyncRecord[]): Array<[SyncRecord, SyncRecord]> {
  return records.slice(1).map((later, index) => [records[index] as SyncRecord, later]);
}
