import type { ActiveDag } from "../../dags/active-dags.ts";
import type { AuditEntry } from "../../audit/audit-entry.ts";
import type { ParamSpec } from "../../dags/spec/params-schema.ts";
import type { TaskState } from "../../runs/run-model.ts";
import { dagDetail, type DagViewContext } from "../views/dag-view.ts";
import { backfillPanel } from "./backfill-panel.ts";
import { dagGraph } from "./dag-graph.ts";
import { durationChart } from "./duration-chart.ts";
import { type Html, html, segment } from "./html.ts";
import { actionForm, layout, needsScriptNote, type RoutedFrame } from "./layout.ts";
import { pauseHistory } from "./pause-history.ts";
import { triggerForm } from "./trigger-form.ts";
import { runTable } from "./run-rows.ts";
import { scheduleText } from "./schedule-text.ts";
import { stateLegend } from "./state-badge.ts";
import { elapsedMs, formatDuration, formatRelative, formatTime } from "./time-format.ts";

const REFRESH_SECONDS = 15;

/**
 * `GET /dags/:dagId`: the DAG's graph, its runs' durations, the trigger form and pause/unpause (for
 * those who may operate it), and who paused and unpaused it when the route passes that `history`.
 */
export function dagPage(
  dag: ActiveDag,
  context: DagViewContext,
  frame: RoutedFrame,
  history?: readonly AuditEntry[],
): Html {
  const view = dagDetail(dag, context);
  const operable = frame.access.canOperate(view.id);
  const { definition } = view;
  const { now } = frame;
  const dagPath = `/api/dags/${segment(view.id)}`;
  const latest = view.runs[0];
  const states = new Map<string, TaskState>(latest?.tasks.map((task) => [task.id, task.state]) ?? []);
  const durations = view.runs
    .filter((run) => run.startedAt !== null)
    .map((run) => ({
      id: run.id,
      state: run.state,
      logicalDate: run.logicalDate,
      durationMs: elapsedMs(run.startedAt, run.endedAt, now) ?? 0,
    }))
    .reverse();
  const body = html`<h1>
      DAG
      ${view.id}${view.paused ? html` <span class="tag paused">paused</span>` : ""}${view.stale ? html` <span class="tag stale">stale</span>` : ""}
    </h1>
    ${definition.description ? html`<p>${definition.description}</p>` : ""}
    ${view.stale && view.importError ? html`<p class="error-text">This file no longer loads; the last good definition keeps running: ${view.importError.file}${view.importError.line === null ? "" : `:${view.importError.line}`}: ${view.importError.message}</p>` : ""}
    ${operable ? needsScriptNote() : ""}
    <section class="card">
      <dl>
        <dt>File</dt>
        <dd class="mono">${view.file}${view.line === null ? "" : `:${view.line}`}</dd>
        <dt>Commit</dt>
        <dd class="mono">${view.commit ?? "– (local folder)"}</dd>
        <dt>Schedule</dt>
        <dd>${scheduleText(view.schedule, view.timezone)}</dd>
        <dt>Next run</dt>
        <dd>
          ${view.nextRunAt ? html`${formatTime(view.nextRunAt)} <span class="muted">(${formatRelative(view.nextRunAt, now)})</span>` : html`<span class="muted">${view.paused ? "paused" : "none"}</span>`}
        </dd>
        <dt>Owner</dt>
        <dd>${definition.owner ?? "–"}</dd>
        ${
          definition.tags.length > 0
            ? html`<dt>Tags</dt>
                <dd>${definition.tags.join(", ")}</dd>`
            : ""
        }
        <dt>Catch-up</dt>
        <dd>
          ${definition.catchup ? "yes" : "no"}, at most ${definition.maxActiveRuns} active runs, concurrency
          ${definition.concurrencyPolicy}
        </dd>
      </dl>
    </section>
    ${operable ? controls(dagPath, view.paused, definition.params) : frame.access.viewer ? html`<p class="muted">Triggering and pausing this DAG need the operator role on it.</p>` : ""}
    <h2>Graph</h2>
    ${dagGraph(definition.tasks, states)}
    ${latest ? html`<p class="legend">Task states of the latest run, <a href="/runs/${segment(latest.id)}">${latest.id}</a>.</p>` : ""}
    <h2>Duration of recent runs</h2>
    ${durationChart(durations)}
    <h2>Tasks</h2>
    <table class="tasks">
      <thead>
        <tr>
          <th>Task</th>
          <th>Image</th>
          <th>Command</th>
          <th>Depends on</th>
          <th>Trigger rule</th>
          <th>Retries</th>
          <th>Timeout</th>
        </tr>
      </thead>
      <tbody>
        ${definition.tasks.map(
          (task) =>
            html`<tr>
              <td class="mono">${task.id}</td>
              <td class="mono">${task.image}</td>
              <td class="mono">${[...task.command, ...task.args].join(" ")}</td>
              <td>${task.dependsOn.join(", ") || "–"}</td>
              <td>${task.triggerRule}</td>
              <td>${task.retries}</td>
              <td>${task.timeoutMs === null ? "–" : formatDuration(task.timeoutMs)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>Recent runs</h2>
    ${stateLegend()} ${runTable(view.runs, now, { showDag: false })}
    ${backfillPanel(view.id, context.store.state.backfills, operable, view.schedule !== null)}
    ${
      view.skipped.length > 0
        ? html`<h2>Skipped runs</h2>
            <ul>
              ${view.skipped
                .slice(-10)
                .reverse()
                .map((skip) => html`<li>${formatTime(skip.logicalDate)}: ${skip.reason}</li>`)}
            </ul>`
        : ""
    }
    ${history ? pauseHistory(history) : ""}`;
  return layout({ ...frame, title: `DAG ${view.id}`, refreshSeconds: REFRESH_SECONDS }, body);
}

/** Pause or unpause, and the trigger form with its conf. */
function controls(dagPath: string, paused: boolean, params: readonly ParamSpec[]): Html {
  return html`<div class="actions">
      ${paused ? actionForm({ url: `${dagPath}/unpause`, label: "Unpause", done: "Unpaused." }) : actionForm({ url: `${dagPath}/pause`, label: "Pause", done: "Paused." })}
    </div>
    <h2>Trigger a run</h2>
    ${triggerForm(`${dagPath}/runs`, params)}`;
}
