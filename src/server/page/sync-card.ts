import type { CommitInfo } from "../../sync/git-mirror.ts";
import type { SyncStatus } from "../../sync/sync-status.ts";
import type { statusView } from "../views/status-view.ts";
import { type Html, html } from "./html.ts";
import { commitLink, type CommitLinks } from "./sync-history-section.ts";
import { formatRelative, formatTime } from "./time-format.ts";

type StatusView = ReturnType<typeof statusView>;

/** What was synced, when, whether it worked and what comes next; the last error in red. */
export function syncCard(status: StatusView, now: Date, links?: CommitLinks): Html {
  const { sync } = status;
  const attemptedDiffers =
    sync.lastAttemptedCommit !== null && sync.lastAttemptedCommit.sha !== sync.lastAppliedCommit?.sha;
  return html`<section class="card sync" aria-label="Sync">
    <dl>
      <dt>${sync.mode === "git" ? "Repository" : "Folder"}</dt>
      <dd class="mono">${sync.repo}</dd>
      ${
        sync.mode === "git"
          ? html`<dt>Branch</dt>
              <dd class="mono">${sync.branch ?? "the remote's default branch"}</dd>`
          : ""
      }
      <dt>DAGs folder</dt>
      <dd class="mono">${sync.dagsDir}</dd>
      <dt>Applied commit</dt>
      <dd>${commit(sync.lastAppliedCommit, now, sync.mode, links)}</dd>
      ${
        attemptedDiffers
          ? html`<dt>Last attempted</dt>
              <dd>${commit(sync.lastAttemptedCommit, now, sync.mode, links)}</dd>`
          : ""
      }
      <dt>Last sync</dt>
      <dd>${lastSync(sync, now)}</dd>
      <dt>Next sync</dt>
      <dd>
        ${sync.nextSyncAt ? html`${formatTime(sync.nextSyncAt)} <span class="muted">(${formatRelative(sync.nextSyncAt, now)})</span>` : html`<span class="muted">${sync.mode === "git" ? "syncing now" : "on the next file change"}</span>`}
      </dd>
      ${
        sync.lastError
          ? html`<dt class="error-text">Last error</dt>
              <dd class="error-text">${sync.lastError}</dd>`
          : ""
      }
      <dt>DAGs</dt>
      <dd>
        ${status.dags.total} (${status.dags.paused} paused, ${status.dags.importErrors} import
        error${status.dags.importErrors === 1 ? "" : "s"})
      </dd>
      <dt>Runs</dt>
      <dd>${status.runs.running} running, ${status.runs.queued} queued</dd>
      ${leaderRow(status.leader)}
    </dl>
  </section>`;
}

/** Under leader election: whether this replica schedules, and who does if it does not. */
function leaderRow(leader: StatusView["leader"]): Html | string {
  if (!leader?.enabled) return "";
  if (leader.isLeader)
    return html`<dt>Scheduler</dt>
      <dd>leader (<code>${leader.identity}</code>)</dd>`;
  return html`<dt class="error-text">Scheduler</dt>
    <dd class="error-text">
      standby: ${leader.holder ? html`<code>${leader.holder}</code> leads` : "no replica leads right now"};
      this replica (<code>${leader.identity}</code>) is read-only
    </dd>`;
}

function commit(
  info: CommitInfo | null,
  now: Date,
  mode: SyncStatus["mode"],
  links: CommitLinks | undefined,
): Html {
  if (!info)
    return html`<span class="muted">${mode === "git" ? "none yet" : "none (local folder, no git)"}</span>`;
  return html`${commitLink(info.sha, links)} ${info.message}<br /><span class="muted"
      >by ${info.author}, ${formatTime(info.date)} (${formatRelative(info.date, now)})</span
    >`;
}

function lastSync(sync: SyncStatus, now: Date): Html {
  if (!sync.lastSyncAt) return html`<span class="muted">not yet</span>`;
  const ok = sync.lastSyncAt === sync.lastSuccessAt;
  return html`${formatTime(sync.lastSyncAt)}
    <span class="muted">(${formatRelative(sync.lastSyncAt, now)})</span> —
    ${ok ? html`<span class="state st-success">ok</span>` : html`<span class="state st-failed">failed</span>`}${!ok && sync.lastSuccessAt ? html` <span class="muted">last success ${formatTime(sync.lastSuccessAt)}</span>` : ""}`;
}
