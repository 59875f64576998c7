import { DAG_STATES, type DagFilter } from "../views/dag-filter.ts";
import type { DagSlice } from "../views/dag-slice.ts";
import type { DagListQuery } from "../routes/dag-list-query.ts";
import { type Html, html } from "./html.ts";

/** DAGs per status page unless `?limit=` says otherwise. */
export const PAGE_DAGS = 100;

/** The status page's DAG filter: a plain GET form, so it works without script and its URL can be shared. */
export function dagFilterForm(filter: DagFilter, limit: number): Html {
  const text = (name: "q" | "tag" | "owner" | "folder", label: string) =>
    html`<label>${label} <input type="search" name="${name}" value="${filter[name] ?? ""}" /></label> `;
  return html`<form class="dag-filter" method="get" action="/">
    ${text("q", "Name")}${text("tag", "Tag")}${text("owner", "Owner")}${text("folder", "Folder")}
    <label
      >State
      <select name="state">
        <option value="">any</option>
        ${DAG_STATES.map(
          (state) =>
            html`<option value="${state}" ${filter.state === state ? "selected" : ""}>${state}</option>`,
        )}
      </select></label
    >
    ${limit === PAGE_DAGS ? "" : html`<input type="hidden" name="limit" value="${limit}" />`}
    <button type="submit">Filter</button>
    ${isFiltered(filter) ? html` <a href="/">Clear</a>` : ""}
  </form>`;
}

/** Previous/next links of the DAG table, keeping the filter; nothing when it all fits one page. */
export function dagPageLinks(slice: DagSlice, query: DagListQuery, limit: number): Html | string {
  const { previousBefore, nextBefore } = slice;
  if (previousBefore === undefined && nextBefore === undefined) return "";
  const link = (before: string | null) => statusUrl(query.filter, limit, before);
  return html`<nav class="dag-pages">
    ${previousBefore === undefined ? "" : html`<a rel="prev" href="${link(previousBefore)}">← Previous ${limit}</a>`}
    ${nextBefore === undefined ? "" : html`<a rel="next" href="${link(nextBefore)}">Next ${limit} →</a>`}
  </nav>`;
}

/** `/` with the filter, the page size when not the default, and the cursor (query-encoded). */
export function statusUrl(filter: DagFilter, limit: number, before: string | null): string {
  const params = new URLSearchParams();
  for (const name of ["q", "tag", "owner", "folder", "state"] as const) {
    const value = filter[name];
    if (value !== undefined) params.set(name, value);
  }
  if (limit !== PAGE_DAGS) params.set("limit", String(limit));
  if (before !== null) params.set("before", before);
  const search = params.toString();
  return search === "" ? "/" : `/?${search}`;
}

export function isFiltered(filter: DagFilter): boolean {
  return Object.values(filter).some((value) => value !== undefined);
}
