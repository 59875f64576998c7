import { syncAnchor } from "../../github/commit-status-text.ts";
import { commitUrl, fileUrl, type GitHubRepo } from "../../github/github-repo.ts";
import type { SyncRecord } from "../../sync/sync-status.ts";
import { type Html, html } from "./html.ts";
import { formatRelative, formatTime } from "./time-format.ts";

/** Sync records the status page shows, newest first (the API lists up to 200). */
export const SYNCS_SHOWN = 10;

/** Where the followed repository's commits and files are on the web (GitHub), when known. */
export interface CommitLinks {
  url: string;
  repo: GitHubRepo;
}

/**
 * A table of syncs, newest first: each with its commit, result, the DAGs it added, updated and
 * removed and the files the commit changed, linked to GitHub when the repository is there. Each
 * row is the anchor (`#sync-<sha>`) a commit status links to.
 */
export function syncHistoryTable(
  records: readonly SyncRecord[],
  links: CommitLinks | undefined,
  now: Date,
  shown: number,
): Html {
  const newest = records.slice(-shown).reverse();
  const anchored = new Set<string>();
  if (newest.length === 0) return html`<p class="muted">No sync yet.</p>`;
  return html`<table class="syncs">
    <thead>
      <tr>
        <th>When</th>
        <th>Commit</th>
        <th>Result</th>
        <th>DAGs</th>
        <th>Files changed</th>
      </tr>
    </thead>
    <tbody>
      ${newest.map((record) => row(record, links, now, anchored))}
    </tbody>
  </table>`;
}

/** The status page's `Recent syncs`: the newest few, and a link to `/syncs` with all that are kept. */
export function syncHistorySection(
  records: readonly SyncRecord[],
  links: CommitLinks | undefined,
  now: Date,
): Html {
  if (records.length === 0) return html``;
  return html`<h2 id="syncs">Recent syncs</h2>
    ${syncHistoryTable(records, links, now, SYNCS_SHOWN)}
    ${records.length > SYNCS_SHOWN ? html`<p><a href="/syncs">All ${records.length} syncs</a></p>` : ""}`;
}

function row(record: SyncRecord, links: CommitLinks | undefined, now: Date, anchored: Set<string>): Html {
  const { sha } = record;
  // A commit tried more than once (a retry, a restart) is linked to at its newest row: ids are unique.
  const anchor = sha !== null && !anchored.has(sha);
  if (anchor) anchored.add(sha);
  return html`<tr ${anchor ? html`id="${syncAnchor(sha)}"` : ""}>
    <td>${formatTime(record.at)} <span class="muted">(${formatRelative(record.at, now)})</span></td>
    <td>${sha ? commitLink(sha, links) : html`<span class="muted">none</span>`}</td>
    <td>
      ${record.ok ? html`<span class="state st-success">ok</span>` : html`<span class="state st-failed">failed</span>`}
      ${record.error ? html`<div class="error-text">${record.error}</div>` : ""}
    </td>
    <td>${dagChanges(record)}</td>
    <td>${files(record, sha, links)}</td>
  </tr>`;
}

/** A commit's short sha, linked to the commit on GitHub when the repository is there. */
export function commitLink(sha: string, links: CommitLinks | undefined): Html {
  const short = html`<code title="${sha}">${sha.slice(0, 12)}</code>`;
  return links ? html`<a href="${commitUrl(links.url, links.repo, sha)}">${short}</a>` : short;
}

/** DAG ids listed per kind of change: a first load of 10,000 DAGs would be 200 KB of names (`/api/syncs` has them all). */
export const DAG_IDS_SHOWN = 50;

function dagChanges(record: SyncRecord): Html {
  const { added, updated, removed } = record.changes;
  const parts = (
    [
      ["added", added],
      ["updated", updated],
      ["removed", removed],
    ] as const
  ).filter(([, ids]) => ids.length > 0);
  if (parts.length === 0) return html`<span class="muted">no change</span>`;
  return html`${parts.map(
    ([what, ids]) =>
      html`<div>
        ${what}
        ${ids.slice(0, DAG_IDS_SHOWN).map((id, i) => html`${i > 0 ? ", " : ""}<code>${id}</code>`)}${
          ids.length > DAG_IDS_SHOWN
            ? html` <span class="muted"
                >and ${(ids.length - DAG_IDS_SHOWN).toLocaleString("en-US")} more</span
              >`
            : ""
        }
      </div>`,
  )}`;
}

function files(record: SyncRecord, sha: string | null, links: CommitLinks | undefined): Html {
  if (!record.files) return html`<span class="muted">–</span>`;
  const { paths, more } = record.files;
  if (paths.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="files">
    ${paths.map(
      (file) =>
        html`<li>
          ${sha && links ? html`<a href="${fileUrl(links.url, links.repo, sha, file)}"><code>${file}</code></a>` : html`<code>${file}</code>`}
        </li>`,
    )}
    ${more > 0 ? html`<li class="muted">and ${more} more</li>` : ""}
  </ul>`;
}
