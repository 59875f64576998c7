import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import type { Via } from "../../../access/principal.ts";
import type { AuditSink } from "../../../audit/audit-entry.ts";
import type { Logger } from "../../../log/logger.ts";
import { PAGE_HEADERS } from "../../page/layout.ts";
import { type PageContext, messagePage } from "./login-pages.ts";
import type { ProviderConnection } from "./provider-connection.ts";
import type { UsedLogins } from "./used-logins.ts";

/** What the `/auth/*` routes share: the settings, resolved, and the state of sign-ins. */
export interface OidcRuntime {
  readonly issuer: URL;
  readonly publicUrl: URL;
  /** Cookies get `Secure` when the public URL is https. */
  readonly secure: boolean;
  readonly ttlMs: number;
  readonly groupsClaim: string;
  readonly keepGroups: ReadonlySet<string>;
  readonly key: Uint8Array;
  readonly audit: AuditSink;
  readonly provider: ProviderConnection;
  readonly used: UsedLogins;
  readonly version: string;
  readonly now: () => number;
  /** The daemon's secret mask, applied to every text served or audited. */
  readonly mask: (text: string) => string;
  readonly log?: Logger | undefined;
}

export function pageContext(runtime: OidcRuntime): PageContext {
  return { now: new Date(runtime.now()), version: runtime.version };
}

/** The request's id as the lead's middleware set it, or a fresh one. */
export function requestIdOf(c: Context): string {
  const id: unknown = c.get("requestId");
  return typeof id === "string" && id !== "" ? id : randomUUID();
}

/**
 * Appends the audit entry of a sign-in or sign-out; true once it is durable, false when it could
 * not be written (the caller then refuses: nothing happens that the audit log does not hold).
 */
export async function auditSession(
  runtime: OidcRuntime,
  c: Context,
  entry: { actor: string; via: Via | null; action: "login" | "logout"; status: number; input?: unknown },
): Promise<boolean> {
  const appended = runtime.audit.append({
    at: new Date(runtime.now()).toISOString(),
    actor: runtime.mask(entry.actor),
    // The lead's authorisation fills roles; a sign-in is audited before any role is looked up.
    role: null,
    via: entry.via,
    action: entry.action,
    target: "session",
    ...(entry.input === undefined ? {} : { input: entry.input }),
    status: entry.status,
    requestId: requestIdOf(c),
  });
  return appended.then(
    () => true,
    (error: unknown) => {
      runtime.log?.error({ err: String(error) }, "cannot write the audit log");
      return false;
    },
  );
}

/** 503 when the audit log cannot be written: no session starts or ends unrecorded. */
export function auditUnavailable(c: Context, runtime: OidcRuntime): Response {
  const message =
    "the audit log cannot be written (see the daemon's log); sign-in and sign-out wait until it can";
  if (/text\/html/i.test(c.req.header("accept") ?? ""))
    return c.html(messagePage("Unavailable", message, pageContext(runtime)), 503, PAGE_HEADERS);
  return c.json({ error: { code: "audit_unavailable", message } }, 503);
}
