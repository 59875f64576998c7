import type { runView } from "../views/run-view.ts";
import { type Html, html, segment } from "./html.ts";
import { actionForm } from "./layout.ts";

type RunView = ReturnType<typeof runView>;
type TaskView = RunView["tasks"][number];

function active(view: RunView): boolean {
  return view.state === "queued" || view.state === "running";
}

/** "Stop run" (after a confirm), "Mark success", "Mark failed" for an unfinished run, to operators. */
export function runControlButtons(view: RunView, operable: boolean): Html | "" {
  if (!operable || !active(view)) return "";
  const run = `/api/runs/${segment(view.id)}`;
  return html`<div class="actions run-control">
    ${actionForm({
      url: `${run}/stop`,
      label: "Stop run",
      done: "Run stopped.",
      confirm: `Stop run ${view.id}? Running tasks are cancelled and waiting ones never start.`,
    })}
    ${actionForm({
      url: `${run}/mark`,
      label: "Mark success",
      done: "Run marked success.",
      body: { state: "success" },
      confirm: `Mark run ${view.id} success? Tasks not yet done are set success without running.`,
    })}
    ${actionForm({
      url: `${run}/mark`,
      label: "Mark failed",
      done: "Run marked failed.",
      body: { state: "failed" },
      confirm: `Mark run ${view.id} failed? Running tasks are cancelled.`,
    })}
  </div>`;
}

/** A task's small mark menu (success or failed) while its run is unfinished, to operators. */
export function taskMarkMenu(view: RunView, task: TaskView, operable: boolean): Html | "" {
  if (!operable || !active(view)) return "";
  const url = `/api/runs/${segment(view.id)}/tasks/${segment(task.id)}/mark`;
  const mark = (state: "success" | "failed") =>
    actionForm({
      url,
      label: `Mark ${state}`,
      done: `Task ${task.id} marked ${state}.`,
      body: { state },
      inline: true,
      confirm: `Mark task ${task.id} ${state}?`,
    });
  return html`<details class="mark-menu">
    <summary>Mark</summary>
    ${mark("success")} ${mark("failed")}
  </details>`;
}
