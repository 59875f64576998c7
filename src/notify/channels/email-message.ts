import type { Delivery, Notification } from "../notification.ts";
import { digestTitle, factsOf, linksOf, oneLine, statusPageUrl } from "./message-fields.ts";

/** What one email says: a one-line subject, a plain-text body and the same as HTML. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

const SUBJECT_MAX = 200;
/** A digest lists this many notifications; the rest are counted. */
const DIGEST_LISTED = 100;

/** Renders a delivery as an email: a notification in full, or a digest listing each one. */
export function renderEmail(delivery: Delivery, publicUrl?: string): EmailMessage {
  const { notifications } = delivery;
  const [only] = notifications;
  if (only && notifications.length === 1)
    return {
      subject: oneLine(only.title, SUBJECT_MAX),
      text: singleText(only),
      html: page(singleHtml(only)),
    };
  const title = digestTitle(notifications.length);
  const status = statusPageUrl(notifications, publicUrl);
  return {
    subject: title,
    text: digestText(title, notifications, status),
    html: page(digestHtml(title, notifications, status)),
  };
}

function singleText(n: Notification): string {
  const lines = [n.title, ""];
  for (const [label, value] of factsOf(n)) lines.push(`${label}: ${value}`);
  if (n.reason) lines.push("", `Reason: ${n.reason}`);
  if (n.logTail.length > 0)
    lines.push("", `Last ${n.logTail.length} log lines:`, ...n.logTail.map((l) => `  ${l}`));
  const links = linksOf(n);
  if (links.length > 0) lines.push("", ...links.map(([label, url]) => `${label}: ${url}`));
  return `${lines.join("\n")}\n`;
}

function digestText(title: string, notifications: readonly Notification[], status: string | null): string {
  const lines = [title, ""];
  for (const n of notifications.slice(0, DIGEST_LISTED)) {
    lines.push(`- ${oneLine(n.title, 500)}`);
    const [link] = linksOf(n);
    if (link) lines.push(`  ${link[0]}: ${link[1]}`);
  }
  if (notifications.length > DIGEST_LISTED) lines.push(`and ${notifications.length - DIGEST_LISTED} more`);
  if (status) lines.push("", `Status page: ${status}`);
  return `${lines.join("\n")}\n`;
}

const CELL = "padding:2px 12px 2px 0;vertical-align:top";
const BUTTON =
  "display:inline-block;margin:0 8px 8px 0;padding:6px 14px;border-radius:4px;background:#1f6feb;color:#ffffff;text-decoration:none";

function singleHtml(n: Notification): string {
  const facts = factsOf(n)
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="${CELL}">${esc(label)}</th><td style="${CELL}">${esc(value)}</td></tr>`,
    )
    .join("");
  const reason = n.reason ? `<p><strong>Reason:</strong> ${esc(n.reason)}</p>` : "";
  const tail =
    n.logTail.length > 0
      ? `<p style="margin-bottom:4px">Last ${n.logTail.length} log lines:</p><pre style="background:#f6f8fa;border:1px solid #d0d7de;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all">${esc(n.logTail.join("\n"))}</pre>`
      : "";
  const buttons = linksOf(n)
    .map(([label, url]) => `<a href="${esc(url)}" style="${BUTTON}">${esc(label)}</a>`)
    .join("");
  return `<h2 style="font-size:18px">${esc(n.title)}</h2><table cellspacing="0" cellpadding="0">${facts}</table>${reason}${tail}<p>${buttons}</p>`;
}

function digestHtml(title: string, notifications: readonly Notification[], status: string | null): string {
  const items = notifications
    .slice(0, DIGEST_LISTED)
    .map((n) => {
      const [link] = linksOf(n);
      const text = esc(oneLine(n.title, 500));
      return `<li>${link ? `<a href="${esc(link[1])}">${text}</a>` : text}</li>`;
    })
    .join("");
  const more =
    notifications.length > DIGEST_LISTED ? `<p>and ${notifications.length - DIGEST_LISTED} more</p>` : "";
  const button = status ? `<p><a href="${esc(status)}" style="${BUTTON}">Open the status page</a></p>` : "";
  return `<h2 style="font-size:18px">${esc(title)}</h2><ul>${items}</ul>${more}${button}`;
}

function page(body: string): string {
  return `<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328">${body}<p style="color:#656d76;font-size:12px">Sent by updraft.</p></body></html>`;
}

const ENTITIES = new Map([
  ["&", "&amp;"],
  ["<", "&lt;"],
  [">", "&gt;"],
  ['"', "&quot;"],
  ["'", "&#39;"],
]);

/** Text into HTML, attribute values included. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES.get(c) ?? c);
}
