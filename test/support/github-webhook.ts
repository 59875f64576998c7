import { createHmac, randomUUID } from "node:crypto";

/** A GitHub `push` event body for `branch` (or any full ref). */
export function pushPayload(branch: string, options: { after?: string; defaultBranch?: string } = {}) {
  return {
    ref: branch.startsWith("refs/") ? branch : `refs/heads/${branch}`,
    before: "0".repeat(40),
    after: options.after ?? "1".repeat(40),
    repository: { full_name: "example/dags", default_branch: options.defaultBranch ?? "main" },
    pusher: { name: "octocat" },
  };
}

/** `X-Hub-Signature-256` of `body` as GitHub computes it. */
export function githubSignature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * A webhook delivery as GitHub sends it. `signature`: the secret to sign with, a literal header
 * value (`{ header }`), or null to send none.
 */
export function webhookRequest(
  event: string,
  payload: unknown,
  signature: string | { header: string } | null,
): RequestInit {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": randomUUID(),
    "user-agent": "GitHub-Hookshot/test",
  };
  if (typeof signature === "string") headers["x-hub-signature-256"] = githubSignature(signature, body);
  else if (signature) headers["x-hub-signature-256"] = signature.header;
  return { method: "POST", headers, body };
}
