import type { AppDeps } from "../app-deps.ts";
import type { PageAccess } from "../auth/page-access.ts";
import type { Html } from "./html.ts";

const encoder = new TextEncoder();

/** How long a rendered status page may be served again while nothing it shows has changed. */
const MAX_AGE_MS = 1000;

/**
 * Serves the last rendering of `/` again for up to a second, unless what it shows changed: the
 * sync status, the DAG set (a new import-errors list on every load), pause flags, any active run
 * or task state (a run finishing also leaves the active set), the notification outbox, or who is
 * looking (the header and the buttons follow the viewer). Under load many requests share one rendering; the
 * clock-derived parts ("in 3 min") are at most a second old.
 */
export class StatusPageCache {
  #last: { atMs: number; key: string; dagSet: object; body: Uint8Array<ArrayBuffer> } | undefined;

  constructor(private readonly deps: AppDeps) {}

  /** The page as UTF-8 bytes (encoded once per rendering). */
  get(nowMs: number, access: PageAccess, render: () => Html): Uint8Array<ArrayBuffer> {
    const key = this.#key(access);
    const dagSet = this.deps.registry.importErrors();
    const last = this.#last;
    if (
      last &&
      nowMs - last.atMs < MAX_AGE_MS &&
      nowMs >= last.atMs &&
      last.key === key &&
      last.dagSet === dagSet
    )
      return last.body;
    // encode() always returns a fresh ArrayBuffer-backed array.
    const body = encoder.encode(render().toString()) as Uint8Array<ArrayBuffer>;
    this.#last = { atMs: nowMs, key, dagSet, body };
    return body;
  }

  /** The undeliverable section changes when a message is given up on or the pending count moves. */
  #outboxKey(): unknown {
    const outbox = this.deps.notifications;
    if (!outbox) return null;
    const given = outbox.undeliverable();
    return [outbox.pendingCount(), given.length, given[0]?.id, given[0]?.gaveUpAt];
  }

  #key(access: PageAccess): string {
    const active = this.deps.store
      .activeRuns()
      .map(
        (run) => `${run.id}:${run.state}:${run.tasks.map((task) => `${task.state}${task.try}`).join(",")}`,
      );
    return JSON.stringify([
      this.deps.source.status(),
      this.deps.store.state.dags,
      active,
      this.deps.leadership?.(),
      this.#outboxKey(),
      // What the status page shows of the access (it has no per-DAG buttons).
      [
        access.viewer,
        access.unauthenticated,
        access.login,
        access.canSync,
        access.canAudit,
        access.csrfToken,
      ],
    ]);
  }
}
