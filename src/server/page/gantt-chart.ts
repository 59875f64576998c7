import type { TaskState } from "../../runs/run-model.ts";
import { type Html, html } from "./html.ts";
import { STATE_LETTERS } from "./state-badge.ts";
import { formatDuration } from "./time-format.ts";

/** What the chart needs of a task: its tries' times and states. */
export interface GanttTask {
  id: string;
  tries: ReadonlyArray<{ try: number; state: TaskState; startedAt: string | null; endedAt: string | null }>;
}

/** One bar: a try, placed in milliseconds from the chart's start. */
export interface GanttBar {
  taskId: string;
  try: number;
  state: TaskState;
  fromMs: number;
  toMs: number;
  /** False while the try runs: the bar ends at `now`. */
  ended: boolean;
}

/** Bars for every try that has started, measured from the earliest start; `spanMs` is the axis length. */
export function ganttBars(tasks: readonly GanttTask[], now: Date): { bars: GanttBar[]; spanMs: number } {
  const starts = tasks.flatMap((task) =>
    task.tries.flatMap((t) => (t.startedAt ? [Date.parse(t.startedAt)] : [])),
  );
  if (starts.length === 0) return { bars: [], spanMs: 0 };
  const origin = Math.min(...starts);
  const bars: GanttBar[] = [];
  for (const task of tasks) {
    for (const attempt of task.tries) {
      if (!attempt.startedAt) continue;
      const end = attempt.endedAt ? Date.parse(attempt.endedAt) : now.getTime();
      bars.push({
        taskId: task.id,
        try: attempt.try,
        state: attempt.state,
        fromMs: Date.parse(attempt.startedAt) - origin,
        toMs: Math.max(end, Date.parse(attempt.startedAt)) - origin,
        ended: attempt.endedAt !== null,
      });
    }
  }
  return { bars, spanMs: Math.max(1, ...bars.map((bar) => bar.toMs)) };
}

const LABEL_WIDTH = 190;
const PLOT_WIDTH = 620;
const ROW = 24;
const TOP = 22;

/** The run's tries as horizontal bars on one time axis (inline SVG), one row per task. */
export function ganttChart(tasks: readonly GanttTask[], now: Date): Html {
  const { bars, spanMs } = ganttBars(tasks, now);
  if (bars.length === 0) return html`<p class="muted">No task has started yet.</p>`;
  const rows = tasks.map((task) => task.id);
  const height = TOP + rows.length * ROW + 8;
  const x = (ms: number) => LABEL_WIDTH + (ms / spanMs) * PLOT_WIDTH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((share) => share * spanMs);
  return html`<svg
    class="chart gantt"
    role="img"
    aria-label="Gantt chart of the run's task tries"
    viewBox="0 0 ${LABEL_WIDTH + PLOT_WIDTH + 50} ${height}"
    width="${LABEL_WIDTH + PLOT_WIDTH + 50}"
    height="${height}"
    xmlns="http://www.w3.org/2000/svg"
  >
    ${ticks.map(
      (tick) =>
        html`<line class="axis" x1="${x(tick)}" y1="${TOP - 4}" x2="${x(tick)}" y2="${height - 6}"></line
          ><text x="${x(tick)}" y="${TOP - 8}" text-anchor="middle" class="bar-label"
            >+${formatDuration(tick)}</text
          >`,
    )}
    ${rows.map((id, index) => html`<text x="${LABEL_WIDTH - 8}" y="${TOP + index * ROW + 16}" text-anchor="end">${clip(id, 26)}</text>`)}
    ${bars.map((bar) => {
      const row = rows.indexOf(bar.taskId);
      const left = x(bar.fromMs);
      const width = Math.max(3, x(bar.toMs) - left);
      const label = `${STATE_LETTERS[bar.state]}${bar.try > 1 ? ` #${bar.try}` : ""}`;
      const title = `${bar.taskId} try ${bar.try}: ${bar.state.replace(/_/g, " ")}, ${formatDuration(bar.toMs - bar.fromMs)}${bar.ended ? "" : " so far"}`;
      return html`<g class="bar"
        ><title>${title}</title
        ><rect
          class="st-${bar.state}"
          x="${round(left)}"
          y="${TOP + row * ROW + 3}"
          width="${round(width)}"
          height="${ROW - 6}"
          rx="2"
        ></rect
        ><text class="bar-label" x="${round(left + width + 4)}" y="${TOP + row * ROW + 16}">${label}</text></g
      >`;
    })}
  </svg>`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
