import { z } from "zod";
import { durationOfAtLeast, valid } from "./flag-parsers.ts";
import { flag, switchFlag, UsageError } from "./flags.ts";

const httpUrl = (text: string) => (/^https?:\/\/[^\s]+$/.test(text) && URL.canParse(text) ? text : undefined);
const emailAddress = z.email();

/** `a@x.com,b@y.com` (the flag given more than once arrives joined the same way): each checked, lower-cased. */
const emailList = (text: string, name: string): string[] => {
  const addresses = text
    .split(",")
    .map((address) => address.trim())
    .filter(Boolean);
  const bad = addresses.find((address) => !emailAddress.safeParse(address).success);
  if (bad !== undefined || addresses.length === 0)
    throw new UsageError(`${name}: "${bad ?? text}" is not an email address (e.g. "ops@example.com")`);
  return addresses;
};

/** `updraft run`'s flags for the daemon-wide notification channels (the SMTP URL is a secret: env or file). */
export const NOTIFY_FLAGS = [
  flag({
    name: "notify-email",
    repeatable: true,
    description:
      "Email addresses (repeat the flag or separate with commas) that receive every final task failure and missed schedule, besides a DAG's own notify channels. Needs UPDRAFT_SMTP_URL.",
    parse: emailList,
  }),
  flag({
    name: "notify-slack",
    description:
      "Slack incoming webhook URL that receives every final task failure and missed schedule (with --notify-on-sync-failure, also commits that fail to load).",
    parse: valid("is not an http(s) URL", httpUrl),
  }),
  switchFlag({
    name: "notify-on-sync-failure",
    description:
      "Also send a message to the daemon-wide channels (--notify-email, --notify-slack, --notify-url) when a commit fails to load (import errors).",
  }),
  switchFlag({
    name: "notify-commit-author",
    description:
      "With --notify-on-sync-failure: also email the author of the commit that failed to load. Needs UPDRAFT_SMTP_URL.",
  }),
  flag({
    name: "smtp-url-file",
    description:
      "File holding the SMTP URL for email (smtp://user:pass@host:587 or smtps://…), instead of UPDRAFT_SMTP_URL (one trailing newline ignored).",
  }),
  flag({
    name: "notify-digest-window",
    default: "1m",
    description:
      "Per channel, at most 3 messages go out alone within this window; the rest of a burst is held and sent as one digest when the window ends.",
    parse: valid('is not a duration of at least 1s (e.g. "1m", "30s")', durationOfAtLeast(1000)),
  }),
  flag({
    name: "mail-from",
    description: "Sender address of notification emails.",
    parse: valid('is not an email address (e.g. "updraft@example.com")', (text) =>
      emailAddress.safeParse(text.trim()).success ? text.trim() : undefined,
    ),
  }),
] as const;
