import type { Backfill } from "../../runs/backfill-model.ts";
import { newestFirst } from "../routes/backfill-routes.ts";
import { type Html, html, segment } from "./html.ts";
import { actionForm } from "./layout.ts";
import { formatTime } from "./time-format.ts";

/** Backfills listed on a DAG's page. */
const SHOWN = 10;

/**
 * The DAG page's backfill section: a form to start one (for those who may operate the DAG) and
 * the DAG's recent backfills with their progress, and a cancel button while one runs.
 */
export function backfillPanel(
  dagId: string,
  all: Readonly<Record<string, Backfill>>,
  operable: boolean,
  scheduled: boolean,
): Html | "" {
  const backfills = newestFirst(Object.values(all).filter((backfill) => backfill.dagId === dagId)).slice(
    0,
    SHOWN,
  );
  if (!scheduled && backfills.length === 0) return "";
  return html`<h2>Backfill</h2>
    ${operable && scheduled ? backfillForm(dagId) : ""}
    ${backfills.length > 0 ? backfillTable(backfills, operable) : html`<p class="muted">No backfills yet.</p>`}`;
}

/** Its inputs carry `data-field`: the page script posts them as a JSON body (see page-client.js). */
function backfillForm(dagId: string): Html {
  return actionForm({
    url: `/api/dags/${segment(dagId)}/backfills`,
    label: "Start backfill",
    done: "Backfill started.",
    fields: html`<p class="muted">
        One run per logical date of the schedule from the first to the last day (both included, in the DAG's
        time zone).
      </p>
      <label>From <input type="date" name="from" data-field required /></label>
      <label>To <input type="date" name="to" data-field required /></label>
      <label
        >Existing runs
        <select name="rerun" data-field>
          <option value="missing" selected>keep them (run missing dates only)</option>
          <option value="failed">rerun the failed ones</option>
          <option value="all">rerun all of them</option>
        </select></label
      >
      <label><input type="checkbox" name="reverse" data-field /> newest first</label><br />`,
  });
}

function backfillTable(backfills: readonly Backfill[], operable: boolean): Html {
  return html`<table class="backfills">
    <thead>
      <tr>
        <th>Backfill</th>
        <th>Range</th>
        <th>Existing runs</th>
        <th>State</th>
        <th>Planned</th>
        <th>Created</th>
        <th>Kept</th>
        <th>Succeeded</th>
        <th>Failed</th>
        <th>Active</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${backfills.map(
        (backfill) =>
          html`<tr data-backfill="${backfill.id}">
            <td class="mono" title="${backfill.createdBy ? `by ${backfill.createdBy}` : ""}">
              ${backfill.id}
            </td>
            <td>
              ${formatTime(backfill.from)} –
              ${formatTime(backfill.to)}${backfill.reverse ? " (newest first)" : ""}
            </td>
            <td>${backfill.rerun}</td>
            <td><span class="state st-${backfill.state}" data-state>${backfill.state}</span></td>
            <td>${backfill.planned}</td>
            <td>${backfill.created}</td>
            <td>${backfill.kept}</td>
            <td data-succeeded>${backfill.succeeded}</td>
            <td>${backfill.failed}</td>
            <td>${backfill.active.length}</td>
            <td>
              ${
                operable && backfill.state === "running"
                  ? actionForm({
                      url: `/api/backfills/${segment(backfill.id)}/cancel`,
                      label: "Cancel",
                      done: "Cancelled: no more runs are created; the runs under way finish.",
                      inline: true,
                    })
                  : (backfill.reason ?? "")
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
