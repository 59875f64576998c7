import type { RunState, RunTrigger, TaskState } from "../../runs/run-model.ts";
import { type Html, html, segment } from "./html.ts";
import { stateBadge, stateCell } from "./state-badge.ts";
import { elapsedMs, formatDuration, formatTime } from "./time-format.ts";

/** What a run row shows (a stored Run or the API's run summary). */
export interface RunRow {
  id: string;
  dagId: string;
  state: RunState;
  trigger: RunTrigger;
  /** Who triggered a manual run, when known. */
  triggeredBy?: string | undefined;
  logicalDate: string;
  startedAt: string | null;
  endedAt: string | null;
  tasks: ReadonlyArray<{ id: string; state: TaskState }>;
}

/** Runs as table rows with their tasks' states as a grid of lettered cells. */
export function runTable(runs: readonly RunRow[], now: Date, options: { showDag: boolean }): Html {
  if (runs.length === 0) return html`<p class="muted">No runs yet.</p>`;
  return html`<table class="runs">
    <thead>
      <tr>
        ${options.showDag ? html`<th>DAG</th>` : ""}
        <th>Run</th>
        <th>State</th>
        <th>Trigger</th>
        <th>Logical date</th>
        <th>Duration</th>
        <th>Tasks</th>
      </tr>
    </thead>
    <tbody>
      ${runs.map((run) => {
        const runHref = `/runs/${segment(run.id)}`;
        const duration = elapsedMs(run.startedAt, run.endedAt, now);
        return html`<tr>
          ${options.showDag ? html`<td><a href="/dags/${segment(run.dagId)}">${run.dagId}</a></td>` : ""}
          <td><a class="mono" href="${runHref}">${run.id}</a></td>
          <td>${stateBadge(run.state)}</td>
          <td>${triggerText(run)}</td>
          <td>${formatTime(run.logicalDate)}</td>
          <td>${duration === null ? "–" : formatDuration(duration)}</td>
          <td class="grid">
            ${run.tasks.map((task) => stateCell(task.state, task.id, `${runHref}#task-${segment(task.id)}`))}
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** `manual`, or `manual · by alice@example.com` when the run knows who triggered it. */
export function triggerText(run: Pick<RunRow, "trigger" | "triggeredBy">): string {
  return run.triggeredBy ? `${run.trigger} · by ${run.triggeredBy}` : run.trigger;
}
