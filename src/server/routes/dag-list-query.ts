import { identifierError, MAX_DAG_ID_LENGTH } from "../../dags/spec/refinements.ts";
import { DAG_STATES, type DagFilter, type DagStateFilter } from "../views/dag-filter.ts";
import { HttpError } from "../http-error.ts";
import { listLimit, quote } from "./query.ts";

/** `GET /api/dags` and `GET /`: which DAGs, how many, after which. */
export interface DagListQuery {
  filter: DagFilter;
  /** Undefined: every matching DAG (the list before paging existed). */
  limit: number | undefined;
  /** The id of the last DAG of the previous page. */
  before: string | undefined;
}

/** Longer than any id, tag, owner or path worth matching; a guard, not a format. */
const MAX_TEXT = 250;
const TEXT_PARAMS = ["q", "tag", "owner", "folder"] as const;
const STATES: ReadonlySet<string> = new Set(DAG_STATES);

/**
 * Reads the DAG list's query; an empty field means "any" (what an empty form field sends).
 * Throws a 400 naming the parameter for a bad limit, an unknown state, an overlong text or a
 * `before` that cannot be a DAG id. `before` is a position in id order, so a page whose last DAG a
 * sync removed meanwhile still leads on (a page reloading every few seconds must not turn into an error).
 */
export function dagListQuery(read: (name: string) => string | undefined): DagListQuery {
  const filter: DagFilter = {};
  for (const name of TEXT_PARAMS) {
    const value = read(name);
    if (value === undefined || value === "") continue;
    if (value.length > MAX_TEXT)
      throw new HttpError(
        400,
        "bad_request",
        `${name} must be at most ${MAX_TEXT} characters, got ${quote(value)}`,
      );
    filter[name] = value;
  }
  const state = read("state");
  if (state !== undefined && state !== "") filter.state = stateOf(state);
  const rawLimit = read("limit");
  const limit = rawLimit === undefined || rawLimit === "" ? undefined : listLimit(rawLimit);
  const before = read("before");
  if (before !== undefined && identifierError(before, MAX_DAG_ID_LENGTH) !== undefined)
    throw new HttpError(
      400,
      "bad_request",
      `before must be a DAG id (the last one of the previous page), got ${quote(before)}`,
    );
  return { filter, limit, before };
}

function stateOf(raw: string): DagStateFilter {
  if (STATES.has(raw)) return raw as DagStateFilter;
  throw new HttpError(400, "bad_request", `state must be one of ${DAG_STATES.join(", ")}; got ${quote(raw)}`);
}
