import type { Run, TaskInstance } from "../../runs/run-model.ts";
import { type Html, html, segment } from "./html.ts";
import { layout, type PageFrame } from "./layout.ts";
import { stateBadge } from "./state-badge.ts";

import type { LogExcerpt } from "./log-tail.ts";

/** `GET /runs/:runId/tasks/:taskId/logs?try=N`: the log, escaped; it follows while the try runs. */
export function logPage(
  run: Run,
  task: TaskInstance,
  tryNumber: number,
  log: LogExcerpt,
  frame: Omit<PageFrame, "title">,
): Html {
  const attempt = task.tries.find((t) => t.try === tryNumber);
  const live =
    !log.earlier && tryNumber === task.try && (task.state === "queued" || task.state === "running");
  const runPath = `/runs/${segment(run.id)}`;
  const apiTask = `/api/runs/${segment(run.id)}/tasks/${segment(task.id)}`;
  const textUrl = `${apiTask}/logs?try=${tryNumber}`;
  const body = html`<p><a href="${runPath}#task-${segment(task.id)}">← run ${run.id}</a></p>
    <h1>
      Log of <span class="mono">${task.id}</span>, try ${tryNumber}
      <span data-live-state>${stateBadge(attempt?.state ?? task.state)}</span>
    </h1>
    <p>
      ${task.tries.map((t) => (t.try === tryNumber ? html`<strong>try ${t.try}</strong> ` : html`<a href="${runPath}/tasks/${segment(task.id)}/logs?try=${t.try}">try ${t.try}</a> `))}·
      <a href="${textUrl}">plain text</a>
    </p>
    ${
      log.start > 0 || log.earlier
        ? html`<p class="muted">
            Showing bytes ${log.start}–${log.size} of ${log.total}.
            ${log.start > 0 ? html`<a href="${runPath}/tasks/${segment(task.id)}/logs?try=${tryNumber}&amp;end=${log.start}">Load the part before</a> · ` : ""}
            ${log.earlier ? html`<a href="${runPath}/tasks/${segment(task.id)}/logs?try=${tryNumber}">the end</a> · ` : ""}
            the plain text has it all.
          </p>`
        : ""
    }
    ${
      live
        ? html`<p id="follow-status" class="follow">Following the log…</p>
            <noscript
              ><p class="muted">
                Without JavaScript this page reloads every 5 s while the task runs.
              </p></noscript
            >`
        : ""
    }
    <pre
      class="log"
      ${live ? html` data-follow data-offset="${log.size}" data-log-url="${textUrl}" data-run-url="/api/runs/${segment(run.id)}" data-task="${task.id}" data-try="${tryNumber}"` : ""}
    >
${log.text}</pre>
    ${!live && log.size === 0 ? html`<p class="muted">The log is empty.</p>` : ""}`;
  return layout(
    {
      ...frame,
      title: `Log ${task.id} try ${tryNumber}`,
      refreshSeconds: live ? 5 : undefined,
      refreshWithoutScriptOnly: true,
    },
    body,
  );
}
