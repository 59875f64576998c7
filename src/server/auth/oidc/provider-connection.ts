import * as client from "openid-client";
import type { Logger } from "../../../log/logger.ts";

/** Seconds any request to the provider may take (discovery, token, JWKS, userinfo). */
const PROVIDER_TIMEOUT_SECONDS = 10;

export interface ProviderSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string | undefined;
  retryMs: number;
  now: () => number;
  log?: Logger | undefined;
}

/** The provider's configuration, or why it is not known yet. */
export type ProviderStatus = { config: client.Configuration } | { unavailable: string };

/**
 * The identity provider, discovered lazily: a provider down when the daemon starts does not stop
 * it; every sign-in retries discovery (at most once per `retryMs`) until it works, then keeps it.
 */
export class ProviderConnection {
  readonly #settings: ProviderSettings;
  #config: client.Configuration | undefined;
  #pending: Promise<ProviderStatus> | undefined;
  #failure: { at: number; reason: string } | undefined;

  constructor(settings: ProviderSettings) {
    this.#settings = settings;
  }

  /** The configuration, discovering it first if needed; never rejects. */
  async status(): Promise<ProviderStatus> {
    if (this.#config) return { config: this.#config };
    const failure = this.#failure;
    if (failure && this.#settings.now() - failure.at < this.#settings.retryMs)
      return { unavailable: failure.reason };
    // Concurrent sign-ins share one discovery.
    this.#pending ??= this.#discover().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #discover(): Promise<ProviderStatus> {
    const { issuer, log } = this.#settings;
    try {
      this.#config = await discover(this.#settings);
      this.#failure = undefined;
      log?.info({ issuer: issuer.href }, "identity provider discovered");
      return { config: this.#config };
    } catch (error) {
      const reason = describeDiscoveryError(error);
      this.#failure = { at: this.#settings.now(), reason };
      log?.warn(
        { issuer: issuer.href, err: reason },
        "identity provider discovery failed; sign-in retries it",
      );
      return { unavailable: reason };
    }
  }
}

async function discover(settings: ProviderSettings): Promise<client.Configuration> {
  const insecure = settings.issuer.protocol === "http:";
  const found = await client.discovery(settings.issuer, settings.clientId, undefined, undefined, {
    execute: insecure ? [client.allowInsecureRequests] : [],
    timeout: PROVIDER_TIMEOUT_SECONDS,
  });
  const metadata = found.serverMetadata();
  if (metadata.jwks_uri === undefined)
    throw new Error("its discovery document has no jwks_uri: ID token signatures could not be verified");
  const secret = settings.clientSecret;
  const config = new client.Configuration(metadata, settings.clientId, secret, clientAuth(metadata, secret));
  config.timeout = PROVIDER_TIMEOUT_SECONDS;
  if (insecure) client.allowInsecureRequests(config);
  // The ID token's signature is checked against the provider's JWKS, though it comes over TLS.
  client.enableNonRepudiationChecks(config);
  return config;
}

/** Basic auth unless the provider lists only `client_secret_post` (the spec's default is Basic). */
function clientAuth(metadata: client.ServerMetadata, secret: string | undefined): client.ClientAuth {
  if (secret === undefined) return client.None();
  const methods = metadata.token_endpoint_auth_methods_supported;
  if (methods && !methods.includes("client_secret_basic") && methods.includes("client_secret_post"))
    return client.ClientSecretPost(secret);
  return client.ClientSecretBasic(secret);
}

function describeDiscoveryError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
