import type { RunState, TaskState } from "../../runs/run-model.ts";
import { type Html, html } from "./html.ts";

type AnyState = RunState | TaskState;

/** One letter per state, so a grid cell reads without its colour (greyscale, colour blindness). */
export const STATE_LETTERS: Readonly<Record<AnyState, string>> = {
  scheduled: "W",
  queued: "Q",
  running: "R",
  success: "S",
  failed: "F",
  up_for_retry: "T",
  upstream_failed: "U",
  skipped: "K",
};

const STATE_WORDS: Readonly<Record<AnyState, string>> = {
  scheduled: "scheduled (waiting)",
  queued: "queued",
  running: "running",
  success: "success",
  failed: "failed",
  up_for_retry: "up for retry",
  upstream_failed: "upstream failed",
  skipped: "skipped",
};

/** A state as a coloured label that also says it in words. */
export function stateBadge(state: AnyState): Html {
  return html`<span class="state st-${state}">${STATE_WORDS[state] ?? state}</span>`;
}

/** A small grid cell: the state's letter on its colour, the task and state in the tooltip. */
export function stateCell(state: AnyState, label: string, href?: string): Html {
  const title = `${label}: ${STATE_WORDS[state] ?? state}`;
  const letter = STATE_LETTERS[state] ?? "?";
  return href
    ? html`<a class="cell st-${state}" href="${href}" title="${title}" aria-label="${title}">${letter}</a>`
    : html`<span class="cell st-${state}" title="${title}" aria-label="${title}">${letter}</span>`;
}

/** The key to the grid's letters. */
export function stateLegend(): Html {
  const states = Object.keys(STATE_LETTERS) as AnyState[];
  return html`<p class="legend">
    ${states.map((state) => html`<span class="legend-item">${stateCell(state, "legend")} ${STATE_WORDS[state]}</span>`)}
  </p>`;
}
