import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { AuditEntry, AuditSink } from "../../../../../src/audit/audit-entry.ts";
import type { SessionPort } from "../../../../../src/server/auth/session-port.ts";
import {
  createOidcLogin,
  type OidcLogin,
  type OidcLoginSettings,
} from "../../../../../src/server/auth/oidc/oidc-login.ts";
import type { Cleanup } from "../../../../support/cleanup.ts";

/** An AuditSink that keeps entries in memory (appends resolve at once). */
export class MemoryAuditSink implements AuditSink {
  readonly entries: AuditEntry[] = [];
  async append(entry: AuditEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
  }
}

/** A Hono app on 127.0.0.1 serving a SessionPort's routes, `GET /whoami` (its `read(c)`, as JSON) and `GET /` (a sign-out link). */
export interface LoginApp {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Serves `login` from now on (the app listens before the provider, which needs its origin, starts). */
  serve(login: SessionPort): void;
}

export async function listenLoginApp(cleanup: Cleanup): Promise<LoginApp> {
  let app: Hono | undefined;
  const server = serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => (app ? app.fetch(request) : new Response("not wired yet", { status: 503 })),
  });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  cleanup.defer(
    () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    serve(login) {
      const next = new Hono();
      next.route("/", login.routes());
      next.get("/whoami", async (c) => c.json({ user: (await login.read(c)) ?? null }));
      // A page with a same-origin sign-out link, as updraft's pages have.
      next.get("/", (c) => c.html('<h1>home</h1><a id="sign-out" href="/auth/logout">Sign out</a>'));
      app = next;
    },
  };
}

/** The settings a test app signs in with: a fresh key, a memory audit log, groups `admins` and `team-a` kept. */
export function loginSettings(
  provider: { issuer: URL; clientId: string; clientSecret: string },
  appOrigin: string,
  overrides: Partial<OidcLoginSettings> = {},
): OidcLoginSettings & { audit: MemoryAuditSink } {
  return {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    publicUrl: new URL(appOrigin),
    keepGroups: new Set(["admins", "team-a"]),
    sessionKey: new Uint8Array(randomBytes(32)),
    discoveryRetryMs: 0,
    version: "test",
    ...overrides,
    // A test that passes its own sink (one that fails, say) does not read `entries` from it.
    audit: (overrides.audit as MemoryAuditSink | undefined) ?? new MemoryAuditSink(),
  };
}

/** Listens, then wires `createOidcLogin(settings(origin))`. */
export async function startLoginApp(
  cleanup: Cleanup,
  settings: (origin: string) => OidcLoginSettings,
): Promise<{ app: LoginApp; login: OidcLogin }> {
  const app = await listenLoginApp(cleanup);
  const login = createOidcLogin(settings(app.origin));
  app.serve(login);
  return { app, login };
}
