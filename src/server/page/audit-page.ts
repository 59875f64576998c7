import type { AuditEntry, AuditQuery } from "../../audit/audit-entry.ts";
import { type Html, html, segment } from "./html.ts";
import { DEFAULT_LIMIT } from "../routes/query.ts";
import { layout, type PageFrame } from "./layout.ts";
import { formatTime } from "./time-format.ts";

/** Inputs longer than this show their start, the whole text one click away. */
const SHORT_INPUT = 120;

/** `GET /audit`: who did what, newest first, with a filter form and "older" paging. */
export function auditLogPage(
  query: AuditQuery,
  page: { items: readonly AuditEntry[]; nextBefore: string | undefined },
  frame: Omit<PageFrame, "title">,
): Html {
  const filtered = query.actor !== undefined || query.action !== undefined || query.dag !== undefined;
  const body = html`<h1>Audit log</h1>
    <form class="actions" method="get" action="/audit">
      <label>Actor <input name="actor" value="${query.actor ?? ""}" placeholder="alice@example.com" /></label>
      <label>Action <input name="action" value="${query.action ?? ""}" placeholder="trigger" /></label>
      <label>DAG <input name="dag" value="${query.dag ?? ""}" placeholder="DAG id" /></label>
      <button type="submit" class="primary">Filter</button>
      ${filtered ? html`<a href="/audit">Clear</a>` : ""}
    </form>
    ${query.before ? html`<p class="muted">Entries before ${formatTime(query.before)} · <a href="${pageUrl(query, undefined)}">newest</a></p>` : ""}
    ${page.items.length === 0 ? html`<p class="muted">No entries${filtered || query.before ? " match" : " yet"}.</p>` : auditTable(page.items)}
    ${page.nextBefore ? html`<p><a href="${pageUrl(query, page.nextBefore)}" rel="next">Older entries</a></p>` : ""}`;
  return layout({ ...frame, title: "Audit log" }, body);
}

function auditTable(entries: readonly AuditEntry[]): Html {
  return html`<table class="audit">
    <thead>
      <tr>
        <th>Time</th>
        <th>Actor</th>
        <th>Role</th>
        <th>Via</th>
        <th>Action</th>
        <th>Target</th>
        <th>Status</th>
        <th>Request id</th>
        <th>Input</th>
      </tr>
    </thead>
    <tbody>
      ${entries.map(
        (entry) => html`<tr>
          <td>${formatTime(entry.at)}</td>
          <td>${entry.actor}</td>
          <td>${entry.role ?? "–"}</td>
          <td>${entry.via ?? "–"}</td>
          <td>${entry.action}</td>
          <td class="mono">${targetLink(entry.target)}</td>
          <td${entry.status >= 400 ? html` class="error-text"` : ""}>${entry.status}</td>
          <td class="mono">${entry.requestId}</td>
          <td>${inputSummary(entry.input)}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** `dag/<id>` and `run/<id>[/task/<id>]` link to their pages; other targets are text. */
function targetLink(target: string): Html {
  const dag = /^dag\/([^/]+)$/.exec(target);
  if (dag?.[1]) return html`<a href="/dags/${segment(dag[1])}">${target}</a>`;
  const run = /^run\/([^/]+)(?:\/task\/([^/]+))?$/.exec(target);
  if (run?.[1])
    return html`<a href="/runs/${segment(run[1])}${run[2] ? `#task-${segment(run[2])}` : ""}">${target}</a>`;
  return html`${target}`;
}

function inputSummary(input: unknown): Html | string {
  if (input === undefined) return "";
  const text = typeof input === "string" ? input : (JSON.stringify(input) ?? "");
  if (text.length <= SHORT_INPUT) return html`<code>${text}</code>`;
  return html`<details>
    <summary><code>${text.slice(0, SHORT_INPUT)}…</code></summary>
    <pre class="json">${text}</pre>
  </details>`;
}

/** This page's URL with the same filters, from `before` on (undefined: the newest). */
function pageUrl(query: AuditQuery, before: string | undefined): string {
  const params = new URLSearchParams();
  if (query.actor !== undefined) params.set("actor", query.actor);
  if (query.action !== undefined) params.set("action", query.action);
  if (query.dag !== undefined) params.set("dag", query.dag);
  if (query.limit !== DEFAULT_LIMIT) params.set("limit", String(query.limit));
  if (before !== undefined) params.set("before", before);
  const search = params.toString();
  return search ? `/audit?${search}` : "/audit";
}
