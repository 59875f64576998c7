import type { PoolUsage } from "../../runs/pool-slots.ts";
import { type Html, html } from "./html.ts";

/** The status page's pools (`--pool NAME=N`): slots, in use and waiting; nothing when none are declared. */
export function poolTable(pools: readonly PoolUsage[]): Html {
  if (pools.length === 0) return html``;
  return html`<h2>Pools</h2>
    <table class="pools">
      <thead>
        <tr>
          <th>Pool</th>
          <th>Slots</th>
          <th>Used</th>
          <th>Waiting</th>
        </tr>
      </thead>
      <tbody>
        ${pools.map(
          (pool) =>
            html`<tr data-pool="${pool.name}">
              <td class="mono">${pool.name}</td>
              <td>${String(pool.slots)}</td>
              <td class="${pool.used >= pool.slots ? "error-text" : ""}">${String(pool.used)}</td>
              <td>${String(pool.queued)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}
