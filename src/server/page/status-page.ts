import type { ActiveDag, ImportError } from "../../dags/active-dags.ts";
import type { AppDeps } from "../app-deps.ts";
import type { PageAccess } from "../auth/page-access.ts";
import type { DagListQuery } from "../routes/dag-list-query.ts";
import { dagList, loadedDags } from "../views/dag-list.ts";
import type { DagSlice } from "../views/dag-slice.ts";
import { dagSummary, dagViewContext } from "../views/dag-view.ts";
import { dagFilterForm, dagPageLinks, isFiltered, PAGE_DAGS } from "./dag-list-controls.ts";
import { statusView } from "../views/status-view.ts";
import { type Html, html, segment } from "./html.ts";
import { actionForm, layout, needsScriptNote } from "./layout.ts";
import { poolTable } from "./pool-table.ts";
import { runTable } from "./run-rows.ts";
import { scheduleText } from "./schedule-text.ts";
import { stateBadge, stateLegend } from "./state-badge.ts";
import { syncCard } from "./sync-card.ts";
import { syncHistorySection } from "./sync-history-section.ts";
import { formatRelative, formatTime } from "./time-format.ts";
import { undeliverableSection } from "./undeliverable-section.ts";

/** Runs the status page lists: enough to see what happened lately, few enough to stay fast. */
export const RECENT_RUNS = 25;
const REFRESH_SECONDS = 10;

/** `GET /`: the sync card, import errors, the DAG table and the recent runs' task grid. */
export function statusPage(
  deps: AppDeps,
  now: Date,
  access: PageAccess,
  dags: StatusDags = statusDags(deps, { filter: {}, limit: undefined, before: undefined }),
): Html {
  const context = { ...dagViewContext(deps), now };
  const { query, limit, slice } = dags;
  const total = loadedDags(deps.registry).length;
  const body = html`<h1>Status</h1>
    ${access.canSync ? needsScriptNote() : ""} ${syncSection(deps, now, access.canSync)}
    ${importErrors(deps.registry.importErrors())}
    ${syncHistorySection(deps.syncHistory(), deps.commitLinks, now)}
    ${undeliverableSection(deps.notifications?.undeliverable() ?? [], deps.notifications?.pendingCount() ?? 0, now)}
    <h2>DAGs (${total})</h2>
    ${total > 0 ? dagFilterForm(query.filter, limit) : ""}
    ${dagTable(slice.items, context, now, isFiltered(query.filter))} ${dagPageLinks(slice, query, limit)}
    ${poolTable(deps.scheduler.pools?.() ?? [])}
    <h2>Recent runs</h2>
    ${stateLegend()} ${runTable(deps.store.recentRuns(RECENT_RUNS), now, { showDag: true })}`;
  return layout(
    { title: "Status", now, version: deps.version, refreshSeconds: REFRESH_SECONDS, access },
    body,
  );
}

/** The DAGs the status page shows for a query: one page of them (100 unless `?limit=`). */
export interface StatusDags {
  query: DagListQuery;
  limit: number;
  slice: DagSlice;
}

export function statusDags(deps: AppDeps, query: DagListQuery): StatusDags {
  const limit = query.limit ?? PAGE_DAGS;
  // Only the shown page is summarised (its next run, last run): 10,000 rows would be megabytes.
  return { query, limit, slice: dagList(deps, { ...query, limit }) };
}

function syncSection(deps: AppDeps, now: Date, canSync: boolean): Html {
  return html`<h2>Sync</h2>
    ${syncCard(statusView(deps), now, deps.commitLinks)}
    ${
      canSync
        ? html`<div class="actions">
            ${actionForm({ url: "/api/sync", label: "Sync now", done: "Sync requested.", then: "reload-later" })}
          </div>`
        : ""
    }`;
}

function importErrors(errors: readonly ImportError[]): Html {
  if (errors.length === 0) return html``;
  return html`<h2 class="error-text">Import errors (${errors.length})</h2>
    <table class="import-errors">
      <thead>
        <tr>
          <th>Where</th>
          <th>Kind</th>
          <th>Message</th>
          <th>Commit</th>
        </tr>
      </thead>
      <tbody>
        ${errors.map(
          (error) =>
            html`<tr>
              <td class="mono">
                ${error.file}${error.line === null ? "" : `:${error.line}`}${error.column === null ? "" : `:${error.column}`}
              </td>
              <td>${error.kind}</td>
              <td class="error-text">${error.message}</td>
              <td class="mono">${error.commit?.slice(0, 12) ?? "–"}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function dagTable(
  dags: readonly ActiveDag[],
  context: ReturnType<typeof dagViewContext>,
  now: Date,
  filtered: boolean,
): Html {
  if (dags.length === 0)
    return html`<p class="muted">${filtered ? "No DAG matches the filter." : "No DAGs loaded."}</p>`;
  return html`<table class="dags">
    <thead>
      <tr>
        <th>DAG</th>
        <th>File</th>
        <th>Schedule</th>
        <th>Next run</th>
        <th>Paused</th>
        <th>Last run</th>
        <th>Commit</th>
        <th>Stale</th>
      </tr>
    </thead>
    <tbody>
      ${dags.map((dag) => {
        const view = dagSummary(dag, context);
        return html`<tr>
          <td><a href="/dags/${segment(view.id)}">${view.id}</a>${missedBadge(view.missedSchedule)}</td>
          <td class="mono">${view.file}${view.line === null ? "" : `:${view.line}`}</td>
          <td>${scheduleText(view.schedule, view.timezone)}</td>
          <td>
            ${view.nextRunAt ? html`${formatTime(view.nextRunAt)}<br /><span class="muted">${formatRelative(view.nextRunAt, now)}</span>` : html`<span class="muted">${view.paused ? "paused" : "–"}</span>`}
          </td>
          <td>${view.paused ? html`<span class="tag paused">paused</span>` : "no"}</td>
          <td>
            ${view.lastRun ? html`<a href="/runs/${segment(view.lastRun.id)}">${stateBadge(view.lastRun.state)}</a><br /><span class="muted">${formatTime(view.lastRun.logicalDate)}</span>` : html`<span class="muted">never</span>`}
          </td>
          <td class="mono">${view.commit?.slice(0, 12) ?? "–"}</td>
          <td>
            ${view.stale ? html`<span class="tag stale">stale</span> <span class="error-text">${view.importError?.message ?? ""}</span>` : "no"}
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** The "missed schedule" mark of a DAG row, naming the date and why in its title. */
function missedBadge(missed: { logicalDate: string; reason: string } | null): Html | string {
  if (!missed) return "";
  return html` <span class="tag missed" title="missed ${formatTime(missed.logicalDate)}: ${missed.reason}"
    >missed schedule</span
  >`;
}
