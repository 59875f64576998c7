import type { IncomingMessage } from "node:http";
import { Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";
import { HttpError } from "../http-error.ts";
import { secretsEqual } from "../secret-compare.ts";
import { spoolBody } from "../webhook-spool.ts";

// GitHub caps webhook payloads at 25 MB.
const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
const TOO_LARGE = "webhook payload exceeds 25 MB";

/**
 * `POST /webhooks/github`: a signed push to the followed branch syncs now. Answers at once (GitHub
 * gives up after 10 s); the sync runs behind the response and polling remains the backstop.
 * What can be refused from the headers is refused before the body is read; the body is streamed
 * into the HMAC and a temp file, and parsed only once its signature matched.
 */
export function webhookRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.post("/webhooks/github", async (c) => {
    if (!deps.webhookSecret) {
      throw new HttpError(
        403,
        "forbidden",
        "webhooks are disabled: start updraft with --webhook-secret <secret> (or UPDRAFT_WEBHOOK_SECRET)",
      );
    }
    const signature = c.req.header("x-hub-signature-256");
    if (!signature?.startsWith("sha256="))
      throw new HttpError(401, "unauthorized", "missing or invalid X-Hub-Signature-256");
    const length = Number(c.req.header("content-length"));
    if (length > MAX_WEBHOOK_BYTES) throw new HttpError(413, "payload_too_large", TOO_LARGE);
    const event = c.req.header("x-github-event") ?? "";
    // Under @hono/node-server, the request itself: Node 20's web wrapper of it reads ahead without
    // bound when the consumer (here a file) is slower than the network.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const body = await spoolBody(incoming ?? c.req.raw.body, {
      secret: deps.webhookSecret,
      maxBytes: MAX_WEBHOOK_BYTES,
      // Only a push's payload is read; other events need just the signature.
      keep: event === "push",
      dir: deps.spoolDir,
      tooLarge: TOO_LARGE,
    });
    try {
      if (!secretsEqual(signature, body.signature)) {
        throw new HttpError(401, "unauthorized", "missing or invalid X-Hub-Signature-256");
      }
      if (event === "ping") return c.json({ ok: true, event: "ping" }, 200);
      if (event !== "push")
        return c.json({ accepted: false, reason: `event "${event}" is not handled` }, 202);
      let payload: { ref?: unknown; repository?: { default_branch?: unknown } };
      try {
        payload = JSON.parse(await body.text());
      } catch {
        throw new HttpError(
          400,
          "bad_request",
          "webhook body is not JSON (set the webhook's content type to application/json)",
        );
      }
      const branch =
        deps.followedBranch() ??
        (typeof payload.repository?.default_branch === "string"
          ? payload.repository.default_branch
          : undefined);
      if (typeof payload.ref !== "string" || payload.ref !== `refs/heads/${branch}`) {
        return c.json(
          {
            accepted: false,
            reason: `push to ${String(payload.ref)} ignored: following ${branch ?? "the default branch"}`,
          },
          202,
        );
      }
      void deps.source.syncNow();
      return c.json({ accepted: true }, 202);
    } finally {
      await body.discard();
    }
  });
  return app;
}
