import { type Html, html } from "./html.ts";
import { describeCron } from "./cron-words.ts";

/** A schedule in words and as cron: `every day at 02:30 (UTC)` over `30 2 * * *`. */
export function scheduleText(schedule: string | null, timezone: string): Html {
  if (schedule === null) return html`<span class="muted">manual only</span>`;
  const words = describeCron(schedule);
  return html`${words ? html`${words} <span class="muted">(${timezone})</span><br />` : ""}<code>${schedule}</code>${words ? "" : html` <span class="muted">(${timezone})</span>`}`;
}
