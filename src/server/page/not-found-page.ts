import { type Html, html } from "./html.ts";
import { layout, type PageFrame } from "./layout.ts";

/** A 404 as a page a person can navigate away from. */
export function notFoundPage(message: string, frame: Omit<PageFrame, "title">): Html {
  return layout(
    { ...frame, title: "Not found" },
    html`<h1>Not found</h1>
      <p class="error-text">${message}</p>
      <p><a href="/">Back to the status page</a></p>`,
  );
}
