import { smtpUrlProblem } from "./smtp-url.ts";
import type { NotifyChannelSpec } from "../dags/spec/notify-schema.ts";
import { type Env, UsageError } from "./flags.ts";
import type { RunFlagValues } from "./run-flags.ts";
import { secretFrom } from "./secret-files.ts";

/** Where daemon-wide notifications go, and how email is sent. */
export interface NotifyConfig {
  /** `--notify-email`, `--notify-slack`, `--notify-url`: added to every failure and missed schedule. */
  defaults: NotifyChannelSpec[];
  /** `--notify-on-sync-failure`. */
  onSyncFailure: boolean;
  /** `--notify-commit-author`. */
  commitAuthor: boolean;
  /** UPDRAFT_SMTP_URL or `--smtp-url-file`: a secret (it may carry the password). */
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
  /** `--notify-digest-window`: each channel's burst window (3 single messages, then one digest). */
  digestWindowMs: number;
}

/** The notification flags together: the rules between them, and the SMTP URL from env or file. */
export function notifyConfigFrom(values: RunFlagValues, env: Env): NotifyConfig {
  const smtpUrl = secretFrom(env.UPDRAFT_SMTP_URL || undefined, values["smtp-url-file"], {
    value: "UPDRAFT_SMTP_URL",
    file: "--smtp-url-file",
  });
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^\s]+$/i.test(smtpUrl))
    throw new UsageError(
      "UPDRAFT_SMTP_URL (or --smtp-url-file) is not an smtp:// or smtps:// URL (e.g. smtp://user:pass@mail.example.com:587)",
    );
  // Caught here, not as every email undeliverable later (the message never quotes the URL).
  const problem = smtpUrl === undefined ? undefined : smtpUrlProblem(smtpUrl);
  if (problem) throw new UsageError(problem);
  const commitAuthor = values["notify-commit-author"];
  if (commitAuthor && !values["notify-on-sync-failure"])
    throw new UsageError("--notify-commit-author works only with --notify-on-sync-failure: give both");
  const emails = values["notify-email"];
  for (const [needs, given] of [
    ["--notify-email", emails !== undefined],
    ["--notify-commit-author", commitAuthor],
  ] as const)
    if (given && smtpUrl === undefined)
      throw new UsageError(`${needs} sends email: set UPDRAFT_SMTP_URL (or give --smtp-url-file)`);
  const defaults: NotifyChannelSpec[] = [];
  if (emails) defaults.push({ email: emails });
  if (values["notify-slack"]) defaults.push({ slack: values["notify-slack"] });
  if (values["notify-url"]) defaults.push({ webhook: values["notify-url"] });
  return {
    defaults,
    onSyncFailure: values["notify-on-sync-failure"],
    commitAuthor,
    smtpUrl,
    mailFrom: values["mail-from"],
    digestWindowMs: values["notify-digest-window"],
  };
}

/** The SMTP URL and its password (decoded), for the secret mask. */
export function smtpSecrets(smtpUrl: string | undefined): string[] {
  if (!smtpUrl) return [];
  let password: string;
  try {
    password = new URL(smtpUrl).password;
  } catch {
    return [smtpUrl];
  }
  // As written too: a password that is not valid percent-encoding cannot be decoded.
  return [smtpUrl, password, decodedOrSame(password)].filter(Boolean);
}

function decodedOrSame(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Shortest URL path (with its query) masked on its own: a short one ("/hook") is not a secret. */
const MIN_SECRET_PATH = 16;

/**
 * The daemon-wide Slack and webhook URLs, for the secret mask: their path (or query) is their
 * secret, so a task printing one never shows it in a log, a log tail or a message.
 */
export function channelUrlSecrets(defaults: readonly NotifyChannelSpec[]): string[] {
  const secrets: string[] = [];
  for (const channel of defaults) {
    const url = "slack" in channel ? channel.slack : "webhook" in channel ? channel.webhook : undefined;
    if (url === undefined) continue;
    secrets.push(url);
    try {
      const { pathname, search } = new URL(url);
      if (`${pathname}${search}`.length >= MIN_SECRET_PATH) secrets.push(`${pathname}${search}`);
    } catch {
      // checked by the flag's parser
    }
  }
  return secrets;
}
