import type { AppDeps } from "../app-deps.ts";
import type { PageAccess } from "../auth/page-access.ts";
import type { Html } from "./html.ts";
import type { DagListQuery } from "../routes/dag-list-query.ts";

const encoder = new TextEncoder();

/** How long a rendered status page may be served again while nothing it shows has changed. */
const MAX_AGE_MS = 1000;
/** Renderings kept, one per DAG list query (filter and page): a bound, whatever URLs are asked for. */
const MAX_QUERIES = 16;

interface Rendering {
  atMs: number;
  key: string;
  dagSet: object;
  body: Uint8Array<ArrayBuffer>;
}

/**
 * Serves the last rendering of `/` again for up to a second, unless what it shows changed: the
 * sync status, the DAG set (a new import-errors list on every load), pause flags and schedule
 * state (the store's revision), any active run or task state (a run finishing also leaves the
 * active set), the notification outbox, or who is looking (the header and the buttons follow the
 * viewer). One rendering per query (filter and page of the DAG table), the oldest dropped past 16.
 * Under load many requests share one rendering; the clock-derived parts ("in 3 min") are at most
 * a second old.
 */
export class StatusPageCache {
  readonly #renderings = new Map<string, Rendering>();

  constructor(private readonly deps: AppDeps) {}

  /** The page as UTF-8 bytes (encoded once per rendering). */
  get(nowMs: number, access: PageAccess, query: DagListQuery, render: () => Html): Uint8Array<ArrayBuffer> {
    const queryKey = JSON.stringify([query.filter, query.limit, query.before]);
    const key = this.#key(access);
    const dagSet = this.deps.registry.importErrors();
    const last = this.#renderings.get(queryKey);
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
    // Re-inserted so the Map's order is least recently rendered first.
    this.#renderings.delete(queryKey);
    this.#renderings.set(queryKey, { atMs: nowMs, key, dagSet, body });
    if (this.#renderings.size > MAX_QUERIES) {
      const oldest = this.#renderings.keys().next();
      if (!oldest.done) this.#renderings.delete(oldest.value);
    }
    return body;
  }

  /** The undeliverable section changes when a message is given up on or the pending count moves. */
  #outboxKey(): unknown {
    const outbox = this.deps.notifications;
    if (!outbox) return null;
    const given = outbox.undeliverable();
    return [outbox.pendingCount(), given.length, given[0]?.id, given[0]?.gaveUpAt];
  }

  /**
   * The DAG flags the page shows (pause flags, schedule state): the store's revision when it has
   * one, which every change moves; else the state itself, whose serialising costs more than the
   * page at 10,000 DAGs.
   */
  #dagsKey(): unknown {
    return this.deps.store.revision ?? this.deps.store.state.dags;
  }

  #key(access: PageAccess): string {
    const active = this.deps.store
      .activeRuns()
      .map(
        (run) => `${run.id}:${run.state}:${run.tasks.map((task) => `${task.state}${task.try}`).join(",")}`,
      );
    return JSON.stringify([
      this.deps.source.status(),
      this.#dagsKey(),
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
