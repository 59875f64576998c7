import type { Context } from "hono";

/**
 * Lists stay JSON arrays; when more items follow, the `Link` header (`rel="next"`) gives the URL
 * of the next page (the same query with `before` set to the last item's cursor).
 */
export function linkNextPage(c: Context, limit: number, nextBefore: string | undefined): void {
  if (nextBefore === undefined) return;
  const url = new URL(c.req.url);
  url.searchParams.set("limit", String(limit));
  url.searchParams.set("before", nextBefore);
  c.header("link", `<${url.pathname}${url.search}>; rel="next"`);
}

/** The first `limit` of `items` (fetched as limit + 1) and the cursor of the next page, if any. */
export function page<T>(
  items: readonly T[],
  limit: number,
  cursorOf: (item: T) => string,
): { items: T[]; nextBefore: string | undefined } {
  const shown = items.slice(0, limit);
  const last = shown.at(-1);
  return { items: shown, nextBefore: items.length > limit && last ? cursorOf(last) : undefined };
}
