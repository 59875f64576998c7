import { describe, expect, it } from "vitest";
import { createOidcLogin } from "../../../../src/server/auth/oidc/oidc-login.ts";
import { SESSION_COOKIE } from "../../../../src/server/auth/oidc/session-cookie.ts";
import { CookieJar, fetchWithJar } from "../../../support/cookie-jar.ts";
import { type RogueMode, startRogueOidcProvider } from "../../../support/rogue-oidc-provider.ts";
import { useCleanup } from "../../../support/use-cleanup.ts";
import { listenLoginApp, loginSettings } from "./support/login-app.ts";

/** What the sign-in page must say for each bad ID token. */
const REFUSALS: ReadonlyArray<[RogueMode, RegExp]> = [
  [
    "wrong-issuer",
    /unexpected JWT "iss" \(issuer\) claim value \(expected http:\/\/127\.0\.0\.1:\d+, got https:\/\/issuer\.evil\.example\)/,
  ],
  [
    "wrong-audience",
    /unexpected JWT "aud" \(audience\) claim value \(expected updraft, got another-client\)/,
  ],
  [
    "expired",
    /unexpected JWT "exp" \(expiration time\) claim value, expiration is past current timestamp \(got \d+, now \d+\)/,
  ],
  ["bad-signature", /JWT signature verification failed/],
  ["wrong-nonce", /unexpected ID Token "nonce" claim value$/],
  ["alg-none", /unexpected JWT "alg" header parameter \(expected RS256, got none\)/],
];

/** The reason a refusal page gives, as text. */
function reasonOn(page: string): string {
  const escaped = /<p class="error-text">([^<]*)<\/p>/.exec(page)?.[1] ?? "";
  return escaped
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

describe("ID tokens a provider gets wrong", () => {
  const cleanup = useCleanup("file");

  const rig = async () => {
    const rogue = await startRogueOidcProvider(cleanup);
    const app = await listenLoginApp(cleanup);
    const settings = loginSettings(rogue, app.origin);
    app.serve(createOidcLogin(settings));
    /** Login → the rogue's authorize → back to the callback; the callback's answer. */
    const signIn = async () => {
      const jar = new CookieJar();
      const login = await fetchWithJar(jar, `${app.origin}/auth/login?next=/`);
      expect(login.status).toBe(303);
      const authorize = await fetchWithJar(jar, login.headers.get("location") ?? "");
      expect(authorize.status).toBe(302);
      const callback = await fetchWithJar(jar, authorize.headers.get("location") ?? "", {
        headers: { accept: "text/html" },
      });
      return { jar, callback, body: await callback.text() };
    };
    return { rogue, audit: settings.audit, signIn };
  };

  it("signs in with the rogue provider's valid token (so the refusals below are the token's fault)", async () => {
    const { rogue, signIn } = await rig();
    rogue.mode = "valid";
    const { jar, callback, body } = await signIn();
    expect(callback.status, body).toBe(303);
    expect(jar.get(SESSION_COOKIE)).toBeDefined();
    expect(rogue.tokensIssued).toBe(1);
  });

  it.each(REFUSALS)(
    "refuses an ID token with %s: 401, the reason on the page and in the audit log, no session",
    async (mode, reason) => {
      const { rogue, audit, signIn } = await rig();
      rogue.mode = mode;
      const { jar, callback, body } = await signIn();
      expect(rogue.tokensIssued).toBe(1);
      expect(callback.status, body).toBe(401);
      expect(callback.headers.get("content-type")).toMatch(/^text\/html/);
      expect(body).toContain("Sign-in failed");
      expect(reasonOn(body)).toMatch(reason);
      // The page names what was wrong, not the token's other claims.
      expect(body).not.toContain("alice@example.com");
      expect(body).not.toMatch(/\n\s+at .*:\d+:\d+/);
      expect(callback.headers.getSetCookie().some((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))).toBe(
        false,
      );
      expect(jar.get(SESSION_COOKIE)).toBeUndefined();
      expect(audit.entries).toEqual([
        expect.objectContaining({
          actor: "anonymous",
          action: "login",
          target: "session",
          via: null,
          status: 401,
          input: { reason: expect.stringMatching(reason) },
        }),
      ]);
    },
  );
});
