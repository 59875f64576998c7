import type { runView } from "../views/run-view.ts";
import { type Html, segment } from "./html.ts";
import { actionForm } from "./layout.ts";

type RunView = ReturnType<typeof runView>;

/** "Retry failed tasks" for a finished run that has some; nothing otherwise. */
export function retryFailedButton(view: RunView, operable: boolean): Html | "" {
  const finished = view.state === "success" || view.state === "failed";
  const failed = view.tasks.filter((task) => task.state === "failed" || task.state === "upstream_failed");
  if (!operable || !finished || failed.length === 0) return "";
  return actionForm({
    url: `/api/runs/${segment(view.id)}/retry-failed`,
    label: `Retry ${failed.length} failed task${failed.length === 1 ? "" : "s"}`,
    done: "Failed tasks cleared; they run again.",
  });
}
