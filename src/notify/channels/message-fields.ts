import type { Notification } from "../notification.ts";

/** A title, a label or a subject on one line: control characters (CR/LF included) become spaces, cut to `max`. */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return cut(flat, max);
}

/** `text` cut to at most `max` characters, an ellipsis marking the cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A commit as people quote it: its first 7 characters. */
export function shortSha(sha: string): string {
  return /^[0-9a-f]{8,}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

/** The labelled facts of a notification that are known, in reading order (DAG, Run, Task, Try, State, Commit, Logical date). */
export function factsOf(notification: Notification): Array<[label: string, value: string]> {
  const facts: Array<[string, string | null]> = [
    ["DAG", notification.dag],
    ["Run", notification.run],
    ["Task", notification.task],
    ["Try", notification.try === null ? null : String(notification.try)],
    ["State", notification.state],
    ["Commit", notification.commit === null ? null : shortSha(notification.commit)],
    ["Logical date", notification.logicalDate],
  ];
  return facts.filter((fact): fact is [string, string] => fact[1] !== null && fact[1] !== "");
}

/** The links of a notification that are set, with the words a button shows. */
export function linksOf(notification: Notification): Array<[label: string, url: string]> {
  const links: Array<[string, string | null]> = [
    ["View log", notification.links.log],
    ["View run", notification.links.run],
    ["View sync", notification.links.sync],
  ];
  return links.filter((link): link is [string, string] => link[1] !== null && isWebUrl(link[1]));
}

/** The daemon's status page, from `publicUrl` or else the origin of any link the notifications carry. */
export function statusPageUrl(notifications: readonly Notification[], publicUrl?: string): string | null {
  // --public-url may carry a path prefix (behind a proxy): keep it.
  if (publicUrl && isWebUrl(publicUrl)) return publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`;
  for (const { links } of notifications)
    for (const link of [links.run, links.log, links.sync])
      if (link && isWebUrl(link)) return new URL("/", link).href;
  return null;
}

/** A digest's title: `updraft: 30 notifications`. */
export function digestTitle(count: number): string {
  return `updraft: ${count} notifications`;
}

function isWebUrl(text: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
