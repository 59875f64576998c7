// Point 5 of issue 11: the webhook refuses what it can before reading a body, and streams the rest
// into the HMAC and a temp file that never outlives the request.
import { request } from "node:http";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { githubSignature, pushPayload } from "../support/github-webhook.ts";
import { useApiDaemon, WEBHOOK_SECRET } from "./support/api-daemon.ts";

const api = useApiDaemon();

/**
 * Sends a webhook's headers (announcing `length` bytes) and no body; resolves with the status the
 * server answers while the body is withheld, or rejects if it waits for the body.
 */
function answerWithoutBody(headers: Record<string, string>, length: number): Promise<number> {
  const url = new URL("/webhooks/github", api.test.url);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        ...headers,
        "content-length": String(length),
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error("the server waited for the body instead of answering"));
    }, 5000);
    req.on("response", (response) => {
      clearTimeout(timer);
      response.resume();
      req.destroy();
      resolve(response.statusCode ?? 0);
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.flushHeaders();
  });
}

const spoolFiles = async () => {
  const found: string[] = [];
  for (const dir of ["tmp", "webhooks"])
    found.push(...(await readdir(path.join(api.test.stateDir, dir)).catch(() => [] as string[])));
  return found;
};

describe("POST /webhooks/github before the body", () => {
  it("answers 401 to an unsigned delivery without reading its body", async () => {
    expect(await answerWithoutBody({}, 10 * 1024 * 1024)).toBe(401);
  });

  it("answers 413 to a signed delivery whose Content-Length is over 25 MB without reading it", async () => {
    expect(
      await answerWithoutBody({ "x-hub-signature-256": `sha256=${"0".repeat(64)}` }, 26 * 1024 * 1024),
    ).toBe(413);
  });

  it("refuses a badly signed 5 MB delivery with 401 and leaves no temp file; a signed push still syncs", async () => {
    const body = JSON.stringify({ ...pushPayload("main"), padding: "x".repeat(5 * 1024 * 1024) });
    const bad = await fetch(new URL("/webhooks/github", api.test.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-hub-signature-256": githubSignature("not-the-secret", body),
      },
      body,
    });
    expect(bad.status).toBe(401);
    expect(await spoolFiles()).toEqual([]);
    const good = await fetch(new URL("/webhooks/github", api.test.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-hub-signature-256": githubSignature(WEBHOOK_SECRET, body),
      },
      body,
    });
    // Local-folder mode follows no branch: the push is checked and answered, not synced.
    expect(good.status).toBe(202);
    expect(await good.json()).toMatchObject({ accepted: expect.any(Boolean) });
    expect(await spoolFiles()).toEqual([]);
  });
});
