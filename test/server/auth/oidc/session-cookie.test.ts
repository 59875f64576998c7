import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import {
  sealLoginTransaction,
  newLoginTransaction,
} from "../../../../src/server/auth/oidc/login-transaction.ts";
import { createOidcLogin, loadSessionKey } from "../../../../src/server/auth/oidc/oidc-login.ts";
import {
  MAX_SESSION_COOKIE_BYTES,
  openSession,
  SESSION_COOKIE,
  type SessionRecord,
  sealSession,
} from "../../../../src/server/auth/oidc/session-cookie.ts";
import type { SessionPort } from "../../../../src/server/auth/session-port.ts";
import { useCleanup } from "../../../support/use-cleanup.ts";
import { loginSettings } from "./support/login-app.ts";

const NOW = Date.parse("2026-11-01T10:00:00Z");
const HOUR = 3600_000;
const PROVIDER = {
  issuer: new URL("https://idp.example.com"),
  clientId: "updraft",
  clientSecret: "s3cret-value",
};

const key = () => new Uint8Array(randomBytes(32));
const alice = (expiresAt: number): SessionRecord => ({
  sub: "alice",
  email: "alice@example.com",
  name: "Alice",
  groups: ["admins"],
  csrfToken: randomBytes(32).toString("base64url"),
  expiresAt,
});

/** What `read(c)` says of a request carrying `cookie`. */
async function readWith(login: SessionPort, cookie: string | undefined): Promise<unknown> {
  const app = new Hono();
  app.get("/whoami", async (c) => c.json({ user: (await login.read(c)) ?? null }));
  const response = await app.request("/whoami", cookie === undefined ? {} : { headers: { cookie } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { user: unknown }).user;
}

function flipOneByte(sealed: string, at: number): string {
  const char = sealed[at] === "A" ? "B" : "A";
  return `${sealed.slice(0, at)}${char}${sealed.slice(at + 1)}`;
}

describe("the session cookie", () => {
  const cleanup = useCleanup();
  const sessionKey = key();
  const login = createOidcLogin(
    loginSettings(PROVIDER, "https://updraft.example.com", { sessionKey, now: () => NOW }),
  );

  it("is read back whole, without the ID token", async () => {
    const record = { ...alice(NOW + HOUR), idToken: "header.payload.signature" };
    const sealed = await sealSession(record, sessionKey, NOW);
    const { idToken: _idToken, ...user } = record;
    expect(await readWith(login, `${SESSION_COOKIE}=${sealed}`)).toEqual(user);
    // The browser cannot read it: it is encrypted.
    expect(sealed).not.toContain("alice");
    expect(Buffer.from(sealed.split(".")[3] ?? "", "base64url").toString("latin1")).not.toContain("alice");
  });

  it("is no session when a byte anywhere is changed", async () => {
    const sealed = await sealSession(alice(NOW + HOUR), sessionKey, NOW);
    const parts = sealed.split(".");
    // header, (empty key), iv, ciphertext, tag: flip a byte in each non-empty part.
    let offset = 0;
    for (const part of parts) {
      if (part.length > 0) {
        const tampered = flipOneByte(sealed, offset + Math.floor(part.length / 2));
        expect(tampered).not.toBe(sealed);
        expect(await readWith(login, `${SESSION_COOKIE}=${tampered}`)).toBeNull();
      }
      offset += part.length + 1;
    }
  });

  it("is no session once expired, even though sealed with the right key", async () => {
    const expired = await sealSession(alice(NOW - 1), sessionKey, NOW - HOUR);
    expect(await readWith(login, `${SESSION_COOKIE}=${expired}`)).toBeNull();
    // The same cookie read an hour earlier was good: only the clock differs.
    const earlier = createOidcLogin(
      loginSettings(PROVIDER, "https://updraft.example.com", { sessionKey, now: () => NOW - HOUR }),
    );
    expect(await readWith(earlier, `${SESSION_COOKIE}=${expired}`)).toMatchObject({ sub: "alice" });
  });

  it("is no session when sealed with another key, or when it is a login cookie, or garbage", async () => {
    const other = await sealSession(alice(NOW + HOUR), key(), NOW);
    expect(await readWith(login, `${SESSION_COOKIE}=${other}`)).toBeNull();
    const transaction = await sealLoginTransaction(newLoginTransaction("/", NOW), sessionKey, NOW);
    expect(await readWith(login, `${SESSION_COOKIE}=${transaction}`)).toBeNull();
    for (const garbage of ["", "x", "a.b.c.d.e", "%E0%A4%A", "....", "e30.e30.e30.e30.e30"])
      expect(await readWith(login, `${SESSION_COOKIE}=${garbage}`)).toBeNull();
    expect(await readWith(login, undefined)).toBeNull();
  });

  it("keeps the ID token only while the cookie stays under the size limit", async () => {
    const small = await sealSession({ ...alice(NOW + HOUR), idToken: "h.p.s" }, sessionKey, NOW);
    expect((await openSession(small, sessionKey, NOW))?.idToken).toBe("h.p.s");
    const large = await sealSession({ ...alice(NOW + HOUR), idToken: "x".repeat(3000) }, sessionKey, NOW);
    expect(SESSION_COOKIE.length + 1 + large.length).toBeLessThan(MAX_SESSION_COOKIE_BYTES);
    const opened = await openSession(large, sessionKey, NOW);
    expect(opened?.idToken).toBeUndefined();
    expect(opened?.email).toBe("alice@example.com");
  });

  it("survives a restart: session.key is made once (0600) and read back", async () => {
    const stateDir = path.join(await cleanup.tempDir("session-key"), "state");
    const first = await loadSessionKey(stateDir);
    const file = path.join(stateDir, "session.key");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await loadSessionKey(stateDir);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    const sealed = await sealSession(alice(NOW + HOUR), first, NOW);
    const restarted = createOidcLogin(
      loginSettings(PROVIDER, "https://updraft.example.com", { sessionKey: second, now: () => NOW }),
    );
    expect(await readWith(restarted, `${SESSION_COOKIE}=${sealed}`)).toMatchObject({
      email: "alice@example.com",
    });
  });
});

describe("login settings", () => {
  const base = loginSettings(PROVIDER, "https://updraft.example.com");

  it("refuse an http issuer off loopback, naming the flag", () => {
    expect(() => createOidcLogin({ ...base, issuer: new URL("http://idp.example.com") })).toThrow(
      /--oidc-issuer http:\/\/idp\.example\.com\/ must be https/,
    );
    for (const loopback of [
      "http://127.0.0.1:5556/dex",
      "http://localhost:8080/realms/x",
      "http://[::1]:9000",
    ])
      expect(() => createOidcLogin({ ...base, issuer: new URL(loopback) })).not.toThrow();
  });

  it("refuse a public URL with a path, and a session key of the wrong size", () => {
    expect(() => createOidcLogin({ ...base, publicUrl: new URL("https://example.com/updraft") })).toThrow(
      /--public-url .* must be an origin only/,
    );
    expect(() => createOidcLogin({ ...base, sessionKey: new Uint8Array(16) })).toThrow(/32 bytes/);
  });
});
