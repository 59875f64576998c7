import type { TaskState } from "../../runs/run-model.ts";
import { type Html, html } from "./html.ts";
import { STATE_LETTERS } from "./state-badge.ts";

export interface GraphTask {
  id: string;
  dependsOn: readonly string[];
}

export interface PlacedTask {
  id: string;
  /** Dependency depth: 0 for tasks without upstream tasks. */
  layer: number;
  /** Position within the layer. */
  slot: number;
}

/**
 * A layered layout: each task sits one layer right of its deepest upstream task, in definition
 * order within its layer. DAGs are validated acyclic; an unknown or cyclic reference counts as depth 0.
 */
export function layoutGraph(tasks: readonly GraphTask[]): PlacedTask[] {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const task = byId.get(id);
    if (!task || visiting.has(id)) return -1;
    visiting.add(id);
    const value = Math.max(-1, ...task.dependsOn.map(depthOf)) + 1;
    visiting.delete(id);
    depth.set(id, value);
    return value;
  };
  const slots = new Map<number, number>();
  return tasks.map((task) => {
    const layer = depthOf(task.id);
    const slot = slots.get(layer) ?? 0;
    slots.set(layer, slot + 1);
    return { id: task.id, layer, slot };
  });
}

const NODE_W = 160;
const NODE_H = 30;
const GAP_X = 60;
const GAP_Y = 16;
const PAD = 12;

/** The task graph as inline SVG: boxes left to right by depth, arrows from each upstream task. */
export function dagGraph(
  tasks: readonly GraphTask[],
  states: ReadonlyMap<string, TaskState> = new Map(),
): Html {
  const placed = layoutGraph(tasks);
  const layers = Math.max(...placed.map((p) => p.layer)) + 1;
  const rows = Math.max(...placed.map((p) => p.slot)) + 1;
  const width = PAD * 2 + layers * NODE_W + (layers - 1) * GAP_X;
  const height = PAD * 2 + rows * NODE_H + (rows - 1) * GAP_Y;
  const at = new Map(
    placed.map((p) => [p.id, { x: PAD + p.layer * (NODE_W + GAP_X), y: PAD + p.slot * (NODE_H + GAP_Y) }]),
  );
  const edges = tasks.flatMap((task) =>
    task.dependsOn.flatMap((upstream) => {
      const from = at.get(upstream);
      const to = at.get(task.id);
      if (!from || !to) return [];
      const x1 = from.x + NODE_W;
      const y1 = from.y + NODE_H / 2;
      const x2 = to.x - 2;
      const y2 = to.y + NODE_H / 2;
      const bend = (x2 - x1) / 2;
      return [
        html`<path
          class="edge"
          marker-end="url(#arrow)"
          d="M${x1} ${y1} C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}"
          ><title>${upstream} → ${task.id}</title></path
        >`,
      ];
    }),
  );
  const nodes = placed.map((p) => {
    const { x, y } = at.get(p.id) ?? { x: 0, y: 0 };
    const state = states.get(p.id);
    const label = state ? `${clip(p.id, 18)} [${STATE_LETTERS[state]}]` : clip(p.id, 22);
    return html`<g
      ><title>${p.id}${state ? `: ${state.replace(/_/g, " ")}` : ""}</title
      ><rect
        class="${state ? `st-${state}` : "node"}"
        x="${x}"
        y="${y}"
        width="${NODE_W}"
        height="${NODE_H}"
        rx="4"
      ></rect
      ><rect
        class="node"
        x="${x + 4}"
        y="${y + 5}"
        width="${NODE_W - 8}"
        height="${NODE_H - 10}"
        rx="2"
      ></rect
      ><text x="${x + NODE_W / 2}" y="${y + 19}" text-anchor="middle">${label}</text></g
    >`;
  });
  return html`<svg
    class="chart graph"
    role="img"
    aria-label="Task graph"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <defs>
      <marker
        id="arrow"
        viewBox="0 0 10 10"
        refX="9"
        refY="5"
        markerWidth="7"
        markerHeight="7"
        orient="auto-start-reverse"
      >
        <path d="M0 0 L10 5 L0 10 z" fill="#6e7781"></path>
      </marker>
    </defs>
    ${edges} ${nodes}
  </svg>`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
