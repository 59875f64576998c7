import { html as honoHtml, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** Markup that is already safe: built by `html` (which escapes every interpolated value) or `trusted`. */
export type Html = HtmlEscapedString;

/** What may be interpolated: text (escaped), numbers, nested markup, lists of those; nothing for null/false. */
export type HtmlChild = string | number | boolean | null | undefined | Html | readonly HtmlChild[];

/**
 * Hono's `html` tag, narrowed to synchronous use: every interpolated string is escaped, nested
 * `Html` is kept as is. Pages never interpolate promises, so the result is always a plain string.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlChild[]): Html {
  const result = honoHtml(strings, ...(values as unknown[]));
  if (result instanceof Promise) throw new Error("page markup must not contain promises");
  return result;
}

/** Marks constant markup written in this folder (never user data) as safe. */
export function trusted(markup: string): Html {
  return raw(markup);
}

/** A path segment for a link (ids may contain characters that mean something in a URL). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
