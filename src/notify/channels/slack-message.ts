import type { Delivery, Notification } from "../notification.ts";
import { digestTitle, factsOf, linksOf, oneLine, statusPageUrl } from "./message-fields.ts";

/** A Slack Block Kit block, as far as updraft builds them. */
export type SlackBlock =
  | { type: "header"; text: { type: "plain_text"; text: string; emoji: false } }
  | {
      type: "section";
      text?: { type: "mrkdwn"; text: string };
      fields?: Array<{ type: "mrkdwn"; text: string }>;
    }
  | { type: "actions"; elements: SlackButton[] };

export interface SlackButton {
  type: "button";
  text: { type: "plain_text"; text: string };
  url: string;
  action_id: string;
}

/** What an incoming webhook receives: `text` is the fallback (notifications, old clients). */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's limits: a header's text, a section's text, a field's text, a button's URL. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const URL_MAX = 3000;
/** A digest lists this many notifications; the rest are counted. */
const DIGEST_LISTED = 20;

/** Renders a delivery as a Block Kit message: a notification in full, or a digest of one line each. */
export function renderSlack(delivery: Delivery, publicUrl?: string): SlackMessage {
  const { notifications } = delivery;
  const [only] = notifications;
  return only && notifications.length === 1 ? single(only) : digest(notifications, publicUrl);
}

function single(n: Notification): SlackMessage {
  const blocks: SlackBlock[] = [header(n.title)];
  const facts = factsOf(n).filter(([label]) => label !== "Logical date" || n.run === null);
  if (facts.length > 0)
    blocks.push({
      type: "section",
      fields: facts.map(([label, value]) =>
        mrkdwn(`*${label}*\n${escapeCut(value, FIELD_MAX - label.length - 3)}`),
      ),
    });
  if (n.reason)
    blocks.push({ type: "section", text: mrkdwn(`*Reason:* ${escapeCut(n.reason, SECTION_MAX - 12)}`) });
  if (n.logTail.length > 0) blocks.push({ type: "section", text: mrkdwn(codeBlock(n.logTail)) });
  const buttons = linksOf(n).filter(([label]) => label !== "View sync" || n.run === null);
  if (buttons.length > 0) blocks.push(actions(buttons));
  return { text: escapeCut(oneLine(n.title, 500), SECTION_MAX), blocks };
}

function digest(notifications: readonly Notification[], publicUrl: string | undefined): SlackMessage {
  const title = digestTitle(notifications.length);
  const lines = notifications
    .slice(0, DIGEST_LISTED)
    .map((n) => `• ${escapeCut(oneLine(n.title, 140), 140)}`);
  if (notifications.length > DIGEST_LISTED) lines.push(`and ${notifications.length - DIGEST_LISTED} more`);
  const blocks: SlackBlock[] = [header(title), { type: "section", text: mrkdwn(lines.join("\n")) }];
  const status = statusPageUrl(notifications, publicUrl);
  if (status) blocks.push(actions([["Open the status page", status]]));
  return { text: title, blocks };
}

function header(title: string): SlackBlock {
  return { type: "header", text: { type: "plain_text", text: oneLine(title, HEADER_MAX), emoji: false } };
}

function actions(links: Array<[label: string, url: string]>): SlackBlock {
  return {
    type: "actions",
    elements: links
      .filter(([, url]) => url.length <= URL_MAX)
      .map(([label, url]) => ({
        type: "button",
        text: { type: "plain_text", text: label },
        url,
        action_id: label.toLowerCase().replace(/\s+/g, "_"),
      })),
  };
}

function mrkdwn(text: string): { type: "mrkdwn"; text: string } {
  return { type: "mrkdwn", text };
}

/**
 * The log tail in a ``` block within a section's 3000 characters: the newest lines are kept, older
 * ones dropped, and a line too long on its own is cut.
 */
function codeBlock(lines: readonly string[]): string {
  const fence = "```";
  const room = SECTION_MAX - 2 * fence.length - 2;
  const kept: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = escapeCut(defence(lines[i] ?? ""), room);
    const size = line.length + (kept.length > 0 ? 1 : 0);
    if (used + size > room) break;
    kept.unshift(line);
    used += size;
  }
  return `${fence}\n${kept.join("\n")}\n${fence}`;
}

/** A log line must not close the code block early. */
function defence(line: string): string {
  return line.replace(/```/g, "`\u200b``");
}

/**
 * Text escaped for mrkdwn (`&`, `<`, `>`: Slack's only special characters, links and mentions) and
 * cut so that the escaped text fits in `max`, never splitting an entity.
 */
export function escapeCut(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let out = "";
  for (const char of text) {
    const next = escapeMrkdwn(char);
    if (out.length + next.length > max - 1) break;
    out += next;
  }
  return `${out}…`;
}

function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
