import type { Channel } from "../notification.ts";

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/**
 * A send error as it may be stored, logged and shown: Slack and webhook URLs carry their secret in
 * the path, and an HTTP client's error may quote the URL, so every URL is cut out.
 */
export function errorText(error: unknown, channel: Channel | undefined): string {
  let text =
    error instanceof Error
      ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}`
      : String(error);
  if (channel && channel.type !== "email") text = text.split(channel.url).join("<url>");
  text = text.replace(URL_PATTERN, "<url>");
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
