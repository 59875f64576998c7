import type { AuditEntry } from "../../audit/audit-entry.ts";
import { type Html, html } from "./html.ts";
import { formatTime } from "./time-format.ts";

/**
 * Who paused and unpaused a DAG, from its audit entries as the route passes them (newest first).
 * A refused attempt stays visible as refused: it is part of what happened.
 */
export function pauseHistory(entries: readonly AuditEntry[]): Html {
  return html`<h2>Pause history</h2>
    ${
      entries.length === 0
        ? html`<p class="muted">Nobody has paused or unpaused this DAG through the API yet.</p>`
        : html`<table class="history">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (entry) =>
                  html`<tr>
                    <td>${formatTime(entry.at)}</td>
                    <td>${entry.actor}</td>
                    <td>
                      ${entry.action}${entry.status >= 400 ? html` <span class="error-text">refused (${entry.status})</span>` : ""}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}
