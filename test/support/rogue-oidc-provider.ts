import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from "jose";
import type { Cleanup } from "./cleanup.ts";
import { closeServer } from "./oidc-provider.ts";

/** What the token endpoint's ID token gets wrong (or `valid`: nothing). */
export type RogueMode =
  "valid" | "wrong-issuer" | "wrong-audience" | "expired" | "bad-signature" | "wrong-nonce" | "alg-none";

export interface RogueOidcProvider {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Set before a sign-in: what its ID token will get wrong. */
  mode: RogueMode;
  /** Token requests answered (with a code, a good client secret and a good PKCE verifier). */
  readonly tokensIssued: number;
}

interface PendingCode {
  nonce: string;
  codeChallenge: string;
  redirectUri: string;
}

const KID = "rogue-key";

/** client_secret_basic: id and secret form-encoded (RFC 6749 §2.3.1), then base64. */
function clientAuthenticated(
  header: string | undefined,
  client: { clientId: string; clientSecret: string },
): boolean {
  const encoded = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? "")?.[1];
  if (encoded === undefined) return false;
  const [id = "", secret = ""] = Buffer.from(encoded, "base64").toString("utf8").split(":", 2);
  const decode = (text: string) => decodeURIComponent(text.replaceAll("+", " "));
  return decode(id) === client.clientId && decode(secret) === client.clientSecret;
}

/**
 * A hand-written OpenID provider on 127.0.0.1 (discovery, JWKS, an authorize endpoint that sends
 * the browser straight back with a code, a token endpoint checking client secret and PKCE) whose
 * ID tokens can be wrong in one way each: issuer, audience, expiry, signature, nonce, `alg: none`.
 */
export async function startRogueOidcProvider(cleanup: Cleanup): Promise<RogueOidcProvider> {
  const signing = await generateKeyPair("RS256");
  // Same kid, not in the JWKS: a forged token that names the real key.
  const foreign = await generateKeyPair("RS256");
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: KID, alg: "RS256", use: "sig" };
  const codes = new Map<string, PendingCode>();
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const issuer = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const state = { mode: "valid" as RogueMode, tokensIssued: 0 };
  const rogue: RogueOidcProvider = {
    issuer,
    clientId: "updraft",
    clientSecret: "rogue-client-secret-0123456789",
    get mode() {
      return state.mode;
    },
    set mode(mode) {
      state.mode = mode;
    },
    get tokensIssued() {
      return state.tokensIssued;
    },
  };

  const idToken = async (pending: PendingCode): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const mode = state.mode;
    const claims: JWTPayload = {
      iss: mode === "wrong-issuer" ? "https://issuer.evil.example" : issuer.href.replace(/\/$/, ""),
      aud: mode === "wrong-audience" ? "another-client" : rogue.clientId,
      sub: "rogue-user",
      email: "alice@example.com",
      email_verified: true,
      groups: ["admins"],
      nonce: mode === "wrong-nonce" ? "a-nonce-from-another-sign-in" : pending.nonce,
      iat: mode === "expired" ? now - 7200 : now,
      exp: mode === "expired" ? now - 3600 : now + 300,
    };
    if (mode === "alg-none") return new UnsecuredJWT(claims).encode();
    const key = mode === "bad-signature" ? foreign.privateKey : signing.privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: KID }).sign(key);
  };

  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration")
      return json(200, {
        issuer: issuer.href.replace(/\/$/, ""),
        authorization_endpoint: new URL("/authorize", issuer).href,
        token_endpoint: new URL("/token", issuer).href,
        jwks_uri: new URL("/jwks", issuer).href,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic"],
        code_challenge_methods_supported: ["S256"],
        scopes_supported: ["openid", "email", "profile", "groups"],
      });
    if (url.pathname === "/jwks") return json(200, { keys: [publicJwk] });
    if (url.pathname === "/authorize") {
      const query = url.searchParams;
      const redirectUri = query.get("redirect_uri") ?? "";
      if (query.get("client_id") !== rogue.clientId || query.get("code_challenge_method") !== "S256")
        return json(400, { error: "invalid_request" });
      const code = randomBytes(16).toString("base64url");
      codes.set(code, {
        nonce: query.get("nonce") ?? "",
        codeChallenge: query.get("code_challenge") ?? "",
        redirectUri,
      });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", query.get("state") ?? "");
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (url.pathname === "/token" && request.method === "POST") {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => (body += chunk));
      request.on("end", () => {
        const form = new URLSearchParams(body);
        if (!clientAuthenticated(request.headers.authorization, rogue))
          return json(401, { error: "invalid_client" });
        const pending = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        const challenge = createHash("sha256").update(verifier).digest("base64url");
        if (
          !pending ||
          pending.codeChallenge !== challenge ||
          pending.redirectUri !== form.get("redirect_uri")
        )
          return json(400, { error: "invalid_grant" });
        state.tokensIssued += 1;
        void idToken(pending).then((token) =>
          json(200, {
            access_token: randomBytes(16).toString("base64url"),
            token_type: "Bearer",
            expires_in: 300,
            id_token: token,
          }),
        );
      });
      return;
    }
    json(404, { error: "not_found" });
  });
  cleanup.defer(() => closeServer(server));
  return rogue;
}
