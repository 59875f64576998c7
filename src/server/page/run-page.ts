import { isTerminal, type Run } from "../../runs/run-model.ts";
import { runView } from "../views/run-view.ts";
import { ganttChart } from "./gantt-chart.ts";
import { type Html, html, segment } from "./html.ts";
import { actionForm, layout, needsScriptNote, type RoutedFrame } from "./layout.ts";
import { retryFailedButton } from "./retry-failed-button.ts";
import { runControlButtons, taskMarkMenu } from "./run-control-buttons.ts";
import { triggerText } from "./run-rows.ts";
import { stateBadge, stateLegend } from "./state-badge.ts";
import { elapsedMs, formatDuration, formatTime } from "./time-format.ts";

type TaskView = ReturnType<typeof runView>["tasks"][number];

const REFRESH_SECONDS = 5;
/** Results are shown up to this many characters; the API has them whole. */
const RESULT_SHOWN = 2000;

/** `GET /runs/:runId`: the run, its tasks (state, tries, durations, exit codes, reasons, results, logs) and a Gantt chart. */
export function runPage(run: Run, frame: RoutedFrame): Html {
  const view = runView(run);
  const { now } = frame;
  const operable = frame.access.canOperate(view.dagId);
  const active = view.state === "queued" || view.state === "running";
  const runPath = `/runs/${segment(view.id)}`;
  const duration = elapsedMs(view.startedAt, view.endedAt, now);
  const body = html`<p><a href="/dags/${segment(view.dagId)}">← DAG ${view.dagId}</a></p>
    <h1>Run <span class="mono">${view.id}</span> ${stateBadge(view.state)}</h1>
    ${operable ? needsScriptNote() : ""}
    <section class="card">
      <dl>
        <dt>DAG</dt>
        <dd><a href="/dags/${segment(view.dagId)}">${view.dagId}</a></dd>
        <dt>Trigger</dt>
        <dd>${triggerText(view)}</dd>
        <dt>Logical date</dt>
        <dd>${formatTime(view.logicalDate)}</dd>
        <dt>Queued</dt>
        <dd>${formatTime(view.queuedAt)}</dd>
        <dt>Started</dt>
        <dd>${formatTime(view.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>${formatTime(view.endedAt)}</dd>
        <dt>Duration</dt>
        <dd>${duration === null ? "–" : `${formatDuration(duration)}${view.endedAt ? "" : " so far"}`}</dd>
        <dt>Commit</dt>
        <dd class="mono">${view.commit ?? "– (local folder)"}</dd>
        <dt>Conf</dt>
        <dd><pre class="json">${JSON.stringify(view.conf, null, 2)}</pre></dd>
        ${
          view.reason
            ? html`<dt>Reason</dt>
                <dd class="error-text">${view.reason}</dd>`
            : ""
        }
        ${
          view.notes.length > 0
            ? html`<dt>Notes</dt>
                <dd>${view.notes.map((note) => html`<div>${note}</div>`)}</dd>`
            : ""
        }
      </dl>
    </section>
    ${runControlButtons(view, operable)}
    <h2>Gantt</h2>
    ${ganttChart(view.tasks, now)} ${stateLegend()}
    <h2>Tasks</h2>
    ${retryFailedButton(view, operable)}
    <table class="tasks">
      <thead>
        <tr>
          <th>Task</th>
          <th>State</th>
          <th>Try</th>
          <th>Started</th>
          <th>Ended</th>
          <th>Duration</th>
          <th>Exit code</th>
          <th>Reason</th>
          <th>Result</th>
          <th>Logs</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${view.tasks.map((task) => taskRow(task, runPath, view.id, now, operable, taskMarkMenu(view, task, operable)))}
      </tbody>
    </table>`;
  return layout(
    { ...frame, title: `Run ${view.id}`, refreshSeconds: active ? REFRESH_SECONDS : undefined },
    body,
  );
}

function taskRow(
  task: TaskView,
  runPath: string,
  runId: string,
  now: Date,
  operable: boolean,
  markMenu: Html | "",
): Html {
  const duration = elapsedMs(task.startedAt, task.endedAt, now);
  const clearable = operable && (isTerminal(task.state) || task.state === "up_for_retry");
  const taskPath = `${runPath}/tasks/${segment(task.id)}`;
  const apiTaskPath = `/api/runs/${segment(runId)}/tasks/${segment(task.id)}`;
  const result = task.result === null ? "" : JSON.stringify(task.result, null, 2);
  return html`<tr id="task-${task.id}">
    <td class="mono">${task.id}</td>
    <td>
      ${stateBadge(task.state)}${task.nextTryAt ? html`<br /><span class="muted">next try ${formatTime(task.nextTryAt)}</span>` : ""}
    </td>
    <td>${task.try}</td>
    <td>${formatTime(task.startedAt)}</td>
    <td>${formatTime(task.endedAt)}</td>
    <td>${duration === null ? "–" : formatDuration(duration)}</td>
    <td>${task.exitCode ?? "–"}</td>
    <td>
      ${task.reason ? html`<span class="error-text">${task.reason}</span>` : "–"}${task.podName ? html`<br /><span class="muted mono">pod ${task.podName}</span>` : ""}
    </td>
    <td>
      ${result ? html`<pre class="json">${result.length > RESULT_SHOWN ? `${result.slice(0, RESULT_SHOWN)}…` : result}</pre>` : "–"}
    </td>
    <td>
      ${task.tries.length === 0 ? html`<span class="muted">not started</span>` : task.tries.map((t) => html`<div>try ${t.try}: <a href="${taskPath}/logs?try=${t.try}">log</a> · <a href="${apiTaskPath}/logs?try=${t.try}">text</a>${t.exitCode === null ? "" : html` <span class="muted">exit ${t.exitCode}</span>`}</div>`)}
    </td>
    <td>
      ${clearable ? actionForm({ url: `${apiTaskPath}/clear`, label: "Clear", done: `Task ${task.id} cleared; it runs again.`, inline: true }) : ""}${markMenu}
    </td>
  </tr>`;
}
