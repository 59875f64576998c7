import type { SyncRecord } from "../../sync/sync-status.ts";
import { type Html, html } from "./html.ts";
import { layout, type RoutedFrame } from "./layout.ts";
import { type CommitLinks, syncHistoryTable } from "./sync-history-section.ts";

/** `GET /syncs`: every sync record kept (newest first), where a commit status's Details link leads. */
export function syncsPage(
  records: readonly SyncRecord[],
  links: CommitLinks | undefined,
  frame: RoutedFrame,
): Html {
  const body = html`<h1>Syncs</h1>
    <p class="muted">The last ${records.length} syncs (<code>GET /api/syncs</code> has the same as JSON).</p>
    ${syncHistoryTable(records, links, frame.now, records.length)}`;
  return layout({ ...frame, title: "Syncs" }, body);
}
