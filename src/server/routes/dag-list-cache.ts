import type { AppDeps } from "../app-deps.ts";
import type { DagListQuery } from "./dag-list-query.ts";

/** How long an answer may be served again while the state it was built from has not changed. */
const MAX_AGE_MS = 1000;
/** Answers kept, one per query: a bound, whatever URLs are asked for. */
const MAX_QUERIES = 16;

/** A built `GET /api/dags` answer: the JSON text and the next page's cursor. */
export interface DagListAnswer {
  json: string;
  nextBefore: string | undefined;
}

interface Entry extends DagListAnswer {
  atMs: number;
  revision: number;
  load: object;
}

/**
 * Serves a `GET /api/dags` answer again for up to a second while the run store's revision (every
 * pause, run and task change moves it) and the DAG load are those it was built from, as the status
 * page's cache does: many clients polling the same page share one build. Only pages (`?limit`)
 * are kept, so at most 16 × 1,000 summaries; the unpaged list and a store without a revision are
 * built every time.
 */
export class DagListCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly deps: Pick<AppDeps, "store" | "registry">) {}

  get(nowMs: number, query: DagListQuery, build: () => DagListAnswer): DagListAnswer {
    const revision = this.deps.store.revision;
    if (revision === undefined || query.limit === undefined) return build();
    const key = JSON.stringify([query.filter, query.limit, query.before]);
    const load = this.deps.registry.importErrors();
    const last = this.#entries.get(key);
    if (
      last &&
      nowMs >= last.atMs &&
      nowMs - last.atMs < MAX_AGE_MS &&
      last.revision === revision &&
      last.load === load
    )
      return last;
    const answer = build();
    // Re-inserted so the Map's order is least recently built first.
    this.#entries.delete(key);
    this.#entries.set(key, { ...answer, atMs: nowMs, revision, load });
    if (this.#entries.size > MAX_QUERIES) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return answer;
  }
}
