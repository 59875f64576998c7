import { Hono } from "hono";
import type { UndeliverableMessage } from "../../notify/notification.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../auth/app-env.ts";

/** What `GET /api/notifications` answers. */
export interface NotificationsView {
  /** Messages waiting to be delivered (each channel's copy counts). */
  pending: number;
  /** The newest messages the outbox gave up on, newest first. */
  undeliverable: UndeliverableMessage[];
}

/** `GET /api/notifications`: the outbox's state, read like the sync history (the read gate is global). */
export function notificationRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/api/notifications", (c) => c.json(notificationsView(deps)));
  return app;
}

export function notificationsView(deps: Pick<AppDeps, "notifications">): NotificationsView {
  const outbox = deps.notifications;
  return { pending: outbox?.pendingCount() ?? 0, undeliverable: outbox?.undeliverable() ?? [] };
}
