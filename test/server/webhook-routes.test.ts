import { beforeEach, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { pushPayload, webhookRequest } from "../support/github-webhook.ts";
import { UnstartedApps } from "../support/unstarted-apps.ts";

const SECRET = "s3cret-for-webhooks";
const cleanup = useCleanup("file");
const apps = new UnstartedApps(cleanup);
beforeEach(() => apps.clearCalls());

/** The webhook route of a daemon wired from `args`, and its DAG source's syncNow spy. */
async function webhookApp(args: string[]) {
  const app = await apps.get(args);
  return { deliver: (init: RequestInit) => app.request("/webhooks/github", init), syncNow: app.syncNow };
}

describe("POST /webhooks/github", () => {
  it("syncs on a signed push to the followed branch and answers 202", async () => {
    const { deliver, syncNow } = await webhookApp(["--branch", "main", "--webhook-secret", SECRET]);
    const response = await deliver(webhookRequest("push", pushPayload("main"), SECRET));
    expect(response).toEqual({ status: 202, body: { accepted: true } });
    expect(syncNow).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["no signature", webhookRequest("push", pushPayload("main"), null)],
    ["a signature made with another secret", webhookRequest("push", pushPayload("main"), "another-secret")],
    ["an empty sha256 signature", webhookRequest("push", pushPayload("main"), { header: "sha256=" })],
    ["a sha1 signature", webhookRequest("push", pushPayload("main"), { header: `sha1=${"0".repeat(40)}` })],
    [
      "a valid signature of another body",
      {
        ...webhookRequest("push", pushPayload("develop"), SECRET),
        body: JSON.stringify(pushPayload("main")),
      },
    ],
    ["an unsigned ping", webhookRequest("ping", { zen: "hi" }, null)],
  ])("answers 401 and does not sync for %s", async (_case, init) => {
    const { deliver, syncNow } = await webhookApp(["--branch", "main", "--webhook-secret", SECRET]);
    const response = await deliver(init);
    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ code: "unauthorized" });
    expect(response.body.error.message).toContain("X-Hub-Signature-256");
    expect(syncNow).not.toHaveBeenCalled();
  });

  it("answers a signed ping with 200 without syncing", async () => {
    const { deliver, syncNow } = await webhookApp(["--branch", "main", "--webhook-secret", SECRET]);
    const response = await deliver(
      webhookRequest("ping", { zen: "Design for failure.", hook_id: 7 }, SECRET),
    );
    expect(response.status).toBe(200);
    expect(syncNow).not.toHaveBeenCalled();
  });

  it.each([
    ["another branch", pushPayload("develop")],
    ["a tag with the branch's name", pushPayload("refs/tags/main")],
  ])("answers 202 and does not sync for a push to %s", async (_case, payload) => {
    const { deliver, syncNow } = await webhookApp(["--branch", "main", "--webhook-secret", SECRET]);
    const response = await deliver(webhookRequest("push", payload, SECRET));
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBe(false);
    expect(response.body.reason).toContain(payload.ref);
    expect(syncNow).not.toHaveBeenCalled();
  });

  it("answers 202 and does not sync for events other than push", async () => {
    const { deliver, syncNow } = await webhookApp(["--branch", "main", "--webhook-secret", SECRET]);
    const response = await deliver(webhookRequest("issues", { action: "opened" }, SECRET));
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBe(false);
    expect(syncNow).not.toHaveBeenCalled();
  });

  it("answers 400 for a signed body that is not JSON", async () => {
    const { deliver, syncNow } = await webhookApp(["--branch", "main", "--webhook-secret", SECRET]);
    const response = await deliver(webhookRequest("push", "payload=%7B%7D", SECRET));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("bad_request");
    expect(syncNow).not.toHaveBeenCalled();
  });

  it("follows the repository's default branch when no --branch is given", async () => {
    const { deliver, syncNow } = await webhookApp(["--webhook-secret", SECRET]);
    const other = await deliver(
      webhookRequest("push", pushPayload("main", { defaultBranch: "trunk" }), SECRET),
    );
    expect(other.status).toBe(202);
    expect(other.body.accepted).toBe(false);
    expect(syncNow).not.toHaveBeenCalled();
    const trunk = await deliver(
      webhookRequest("push", pushPayload("trunk", { defaultBranch: "trunk" }), SECRET),
    );
    expect(trunk).toEqual({ status: 202, body: { accepted: true } });
    expect(syncNow).toHaveBeenCalledTimes(1);
  });

  it("is refused (403) when no --webhook-secret is configured, even for a signed push", async () => {
    const { deliver, syncNow } = await webhookApp(["--branch", "main"]);
    const response = await deliver(webhookRequest("push", pushPayload("main"), SECRET));
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe("forbidden");
    expect(response.body.error.message).toContain("--webhook-secret");
    expect(syncNow).not.toHaveBeenCalled();
  });
});
