import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { type Account } from "oidc-provider";
import type { Cleanup } from "./cleanup.ts";

/** A person the test provider knows; its dev login form takes the `login` as the account id. */
export interface TestUser {
  login: string;
  email: string;
  emailVerified: boolean;
  name: string;
  groups: string[];
}

export const TEST_USERS: readonly TestUser[] = [
  {
    login: "alice",
    email: "alice@example.com",
    emailVerified: true,
    name: "Alice Admin",
    groups: ["admins", "staff"],
  },
  {
    login: "olga",
    email: "olga@example.com",
    emailVerified: true,
    name: "Olga Operator",
    groups: ["team-a"],
  },
  { login: "victor", email: "victor@example.com", emailVerified: true, name: "Victor Viewer", groups: [] },
  {
    login: "eve",
    email: "eve@example.com",
    emailVerified: false,
    name: "Eve Unverified",
    groups: ["admins"],
  },
];

export interface TestOidcProvider {
  /** `http://127.0.0.1:<port>`: the issuer. */
  issuer: URL;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

export interface TestOidcProviderOptions {
  /** The app's origin: its `/auth/callback` is the client's redirect URI, `/` its post-logout one. */
  appOrigin: string;
  /** A port of 127.0.0.1 (default: any free one), e.g. one a test reserved before the provider starts. */
  port?: number;
  /** Put scope claims (email, groups) in the ID token, as Dex does; by default they come from userinfo. */
  claimsInIdToken?: boolean;
}

/**
 * A certified OpenID provider (the `oidc-provider` package) on 127.0.0.1: one confidential client
 * (`updraft`, client_secret_basic, PKCE required), the TEST_USERS with a `groups` scope and claim,
 * and its development login and consent forms (any password).
 */
export async function startOidcProvider(
  cleanup: Cleanup,
  options: TestOidcProviderOptions,
): Promise<TestOidcProvider> {
  const server = createServer();
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const issuer = new URL(`http://127.0.0.1:${port}`);
  const clientId = "updraft";
  const clientSecret = "test-client-secret-0123456789abcdef";
  const provider = new Provider(issuer.origin, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${options.appOrigin}/auth/callback`],
        post_logout_redirect_uris: [`${options.appOrigin}/`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    findAccount: (_ctx: unknown, id: string) => accountOf(id),
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name"],
      groups: ["groups"],
    },
    scopes: ["openid", "email", "profile", "groups"],
    conformIdTokenClaims: !options.claimsInIdToken,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ["test-provider-cookie-key-0123456789"] },
    jwks: { keys: [await signingJwk()] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
  });
  server.on("request", provider.callback());
  const stop = () => closeServer(server);
  cleanup.defer(stop);
  return { issuer, clientId, clientSecret, stop };
}

async function signingJwk(): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: "test-provider", alg: "RS256", use: "sig" };
}

function accountOf(id: string): Account | undefined {
  const user = TEST_USERS.find((candidate) => candidate.login === id);
  if (!user) return undefined;
  return {
    accountId: user.login,
    claims: () => ({
      sub: user.login,
      email: user.email,
      email_verified: user.emailVerified,
      name: user.name,
      groups: user.groups,
    }),
  };
}

const stopped = new WeakSet<Server>();

/** Closes the server and its keep-alive connections; a second call is a no-op. */
export async function closeServer(server: Server): Promise<void> {
  if (stopped.has(server) || !server.listening) return;
  stopped.add(server);
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
