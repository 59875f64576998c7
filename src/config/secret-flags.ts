import type { FlagDefinition } from "./flags.ts";
import { secretFrom } from "./secret-files.ts";

/** `updraft run`'s secrets: each as a value or, better, as a file (neither in `ps` nor the environment). */
export const SECRET_FLAGS: readonly FlagDefinition[] = [
  {
    name: "api-token",
    type: "string",
    description:
      "Bearer token required by write endpoints (prefer --api-token-file or the env var: a flag shows in `ps`).",
  },
  {
    name: "api-token-file",
    type: "string",
    description: "File holding the API token (one trailing newline ignored).",
  },
  {
    name: "read-token",
    type: "string",
    description:
      "Token every read needs (or the API token), except /healthz, /readyz, /metrics and the webhook; pages ask for it.",
  },
  {
    name: "read-token-file",
    type: "string",
    description: "File holding the read token (one trailing newline ignored).",
  },
  { name: "webhook-secret", type: "string", description: "GitHub webhook secret (HMAC-SHA256)." },
  {
    name: "webhook-secret-file",
    type: "string",
    description: "File holding the webhook secret (one trailing newline ignored).",
  },
];

/** Reads every secret from its flag, its file or the environment, once, at start-up. */
export function secretsFrom(
  text: (name: string) => string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): {
  apiToken: string | undefined;
  readToken: string | undefined;
  webhookSecret: string | undefined;
  gitToken: string | undefined;
} {
  const fromFlag = (name: string) =>
    secretFrom(text(name), text(`${name}-file`), { value: `--${name}`, file: `--${name}-file` });
  return {
    apiToken: fromFlag("api-token"),
    readToken: fromFlag("read-token"),
    webhookSecret: fromFlag("webhook-secret"),
    gitToken: secretFrom(env.UPDRAFT_GIT_TOKEN || undefined, env.UPDRAFT_GIT_TOKEN_FILE || undefined, {
      value: "UPDRAFT_GIT_TOKEN",
      file: "UPDRAFT_GIT_TOKEN_FILE",
    }),
  };
}
