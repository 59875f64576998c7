import { readFileSync } from "node:fs";
import { type Env, UsageError } from "./flags.ts";
import { RUN_FLAGS, type RunFlagValues } from "./run-flags.ts";

/** A secret file that cannot be used; `updraft run` exits 1 with its message. */
export class SecretFileError extends Error {
  readonly code = "secret_file";
}

/** Flags whose value is a secret (marked so in RUN_FLAGS): on the command line they show in `ps`, so the CLI warns. */
export const SECRET_VALUE_FLAGS: readonly string[] = RUN_FLAGS.filter((flag) => flag.secret).map(
  (flag) => flag.name,
);

/**
 * A secret given as a value or as a file (read once, one trailing newline trimmed), never both.
 * `names` are how the user gave them: `--api-token` / `--api-token-file`, or env names.
 */
export function secretFrom(
  value: string | undefined,
  file: string | undefined,
  names: { value: string; file: string },
): string | undefined {
  if (value !== undefined && file !== undefined)
    throw new UsageError(`give ${names.value} or ${names.file}, not both`);
  if (file === undefined) return value;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SecretFileError(
      `${names.file}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path and that updraft's user may read it`,
    );
  }
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "")
    throw new SecretFileError(
      `${names.file}: ${file} is empty; write the secret into it (one trailing newline is ignored)`,
    );
  return secret;
}

/** The secret-valued flags given on the command line (not through the environment or a file). */
export function secretFlagsOnCommandLine(argv: readonly string[]): string[] {
  const flags = SECRET_VALUE_FLAGS.map((name) => `--${name}`).filter((flag) =>
    argv.some((arg) => arg === flag || arg.startsWith(`${flag}=`)),
  );
  // A repository URL may carry the git token itself (`https://user:token@host/...`).
  const repoAt = argv.findIndex((arg) => arg === "--repo" || arg.startsWith("--repo="));
  const repo = repoAt < 0 ? undefined : argv[repoAt]?.split("=").slice(1).join("=") || argv[repoAt + 1];
  if (repo && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]+@/i.test(repo)) flags.push("--repo");
  return flags;
}

/** Where a secret given on the command line should go instead. */
export function saferPlaceFor(flag: string): string {
  return flag === "--repo" ? "UPDRAFT_GIT_TOKEN_FILE (and a --repo URL without credentials)" : `${flag}-file`;
}

/** Reads every secret of `updraft run` from its flag, its file or the environment, once, at start-up. */
export function secretsFrom(
  values: RunFlagValues,
  env: Env,
): {
  apiToken: string | undefined;
  readToken: string | undefined;
  webhookSecret: string | undefined;
  gitToken: string | undefined;
} {
  const fromFlag = (name: "api-token" | "read-token" | "webhook-secret") =>
    secretFrom(values[name], values[`${name}-file`], { value: `--${name}`, file: `--${name}-file` });
  return {
    apiToken: fromFlag("api-token"),
    readToken: fromFlag("read-token"),
    webhookSecret: fromFlag("webhook-secret"),
    // Never a flag, so the token stays out of process listings.
    gitToken: secretFrom(env.UPDRAFT_GIT_TOKEN || undefined, env.UPDRAFT_GIT_TOKEN_FILE || undefined, {
      value: "UPDRAFT_GIT_TOKEN",
      file: "UPDRAFT_GIT_TOKEN_FILE",
    }),
  };
}
