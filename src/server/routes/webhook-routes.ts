import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppDeps } from "../app-deps.ts";
import { HttpError } from "../http-error.ts";
import { githubSignatureValid } from "../secret-compare.ts";

// GitHub caps webhook payloads at 25 MB.
const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/**
 * `POST /webhooks/github`: a signed push to the followed branch syncs now. Answers at once (GitHub
 * gives up after 10 s); the sync runs behind the response and polling remains the backstop.
 */
export function webhookRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.post(
    "/webhooks/github",
    bodyLimit({
      maxSize: MAX_WEBHOOK_BYTES,
      onError: () => {
        throw new HttpError(413, "payload_too_large", "webhook payload exceeds 25 MB");
      },
    }),
    async (c) => {
      if (!deps.webhookSecret) {
        throw new HttpError(
          403,
          "forbidden",
          "webhooks are disabled: start updraft with --webhook-secret <secret> (or UPDRAFT_WEBHOOK_SECRET)",
        );
      }
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (!githubSignatureValid(body, c.req.header("x-hub-signature-256"), deps.webhookSecret)) {
        throw new HttpError(401, "unauthorized", "missing or invalid X-Hub-Signature-256");
      }
      const event = c.req.header("x-github-event") ?? "";
      if (event === "ping") return c.json({ ok: true, event: "ping" }, 200);
      if (event !== "push")
        return c.json({ accepted: false, reason: `event "${event}" is not handled` }, 202);
      let payload: { ref?: unknown; repository?: { default_branch?: unknown } };
      try {
        payload = JSON.parse(new TextDecoder().decode(body));
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
    },
  );
  return app;
}
