import type { RunState } from "../../runs/run-model.ts";
import { type Html, html, segment } from "./html.ts";
import { STATE_LETTERS } from "./state-badge.ts";
import { formatDuration } from "./time-format.ts";

export interface RunDuration {
  id: string;
  state: RunState;
  logicalDate: string;
  durationMs: number;
}

const BAR_W = 22;
const GAP = 6;
const PLOT_H = 120;
const LEFT = 64;
const TOP = 14;
const BOTTOM = 22;

/** Recent runs' durations as bars, oldest left; each bar links to its run and carries its state's letter. */
export function durationChart(runs: readonly RunDuration[]): Html {
  if (runs.length === 0) return html`<p class="muted">No finished or running runs yet.</p>`;
  const max = Math.max(1, ...runs.map((run) => run.durationMs));
  const width = LEFT + runs.length * (BAR_W + GAP) + GAP;
  const height = TOP + PLOT_H + BOTTOM;
  return html`<svg
    class="chart durations"
    role="img"
    aria-label="Durations of recent runs"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <line class="axis" x1="${LEFT - 4}" y1="${TOP}" x2="${width}" y2="${TOP}"></line>
    <line class="axis" x1="${LEFT - 4}" y1="${TOP + PLOT_H}" x2="${width}" y2="${TOP + PLOT_H}"></line>
    <text class="bar-label" x="${LEFT - 8}" y="${TOP + 4}" text-anchor="end">${formatDuration(max)}</text>
    <text class="bar-label" x="${LEFT - 8}" y="${TOP + PLOT_H + 4}" text-anchor="end">0</text>
    ${runs.map((run, index) => {
      const barHeight = Math.max(2, Math.round((run.durationMs / max) * PLOT_H));
      const x = LEFT + GAP + index * (BAR_W + GAP);
      return html`<a href="/runs/${segment(run.id)}"
        ><title>${run.id}: ${run.state}, ${formatDuration(run.durationMs)}</title
        ><rect
          class="st-${run.state}"
          x="${x}"
          y="${TOP + PLOT_H - barHeight}"
          width="${BAR_W}"
          height="${barHeight}"
        ></rect
        ><text class="bar-label" x="${x + BAR_W / 2}" y="${TOP + PLOT_H + 15}" text-anchor="middle"
          >${STATE_LETTERS[run.state]}</text
        ></a
      >`;
    })}
  </svg>`;
}
