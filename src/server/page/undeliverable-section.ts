import type { UndeliverableMessage } from "../../notify/notification.ts";
import { type Html, html } from "./html.ts";
import { formatRelative, formatTime } from "./time-format.ts";

/** Messages the section lists; `GET /api/notifications` has them all. */
const SHOWN = 20;
/** An error as long as a reply could make it is cut here (the API has it whole). */
const ERROR_CHARS = 300;

/**
 * The status page's `Undeliverable notifications`: what the outbox gave up on (newest first), so
 * someone sees that an alert never reached its channel. Absent while there are none.
 */
export function undeliverableSection(
  messages: readonly UndeliverableMessage[],
  pending: number,
  now: Date,
): Html {
  if (messages.length === 0) return html``;
  const shown = messages.slice(0, SHOWN);
  return html`<h2 id="undeliverable" class="error-text">Undeliverable notifications (${messages.length})</h2>
    <p class="muted">
      Given up on after their last try; ${pending} waiting to be delivered.
      ${messages.length > SHOWN ? html`The newest ${SHOWN} are shown; ` : ""}<code
        >GET /api/notifications</code
      >
      has them as JSON.
    </p>
    <table class="undeliverable">
      <thead>
        <tr>
          <th>Channel</th>
          <th>Event</th>
          <th>Title</th>
          <th>Notifications</th>
          <th>Attempts</th>
          <th>Gave up</th>
          <th>Last error</th>
        </tr>
      </thead>
      <tbody>
        ${shown.map((message) => row(message, now))}
      </tbody>
    </table>`;
}

function row(message: UndeliverableMessage, now: Date): Html {
  const error =
    message.lastError.length > ERROR_CHARS
      ? `${message.lastError.slice(0, ERROR_CHARS - 1)}…`
      : message.lastError;
  return html`<tr title="${message.id}">
    <td>${message.channel}</td>
    <td>${message.event}</td>
    <td>${message.title}</td>
    <td class="num">${message.count}</td>
    <td class="num">${message.attempts}</td>
    <td>
      ${formatTime(message.gaveUpAt)} <span class="muted">(${formatRelative(message.gaveUpAt, now)})</span>
    </td>
    <td class="error-text">${error}</td>
  </tr>`;
}
