import { type Html, html } from "../page/html.ts";
import { layout } from "../page/layout.ts";

/** The page a browser sees without the read token: one password field, posted to /auth/token. */
export function tokenFormPage(options: { next: string; refused: boolean; now: Date; version: string }): Html {
  return layout(
    { title: "Token needed", now: options.now, version: options.version },
    html`<h1>Token needed</h1>
      <p>
        This updraft server requires a token to be read (<code>--read-token</code>). Enter the read token or
        the API token.
      </p>
      ${options.refused ? html`<p class="error-text">That token was not accepted.</p>` : ""}
      <form method="post" action="/auth/token">
        <input type="hidden" name="next" value="${options.next}" />
        <label
          >Token <input type="password" name="token" autocomplete="current-password" required autofocus
        /></label>
        <button type="submit" class="primary">Open</button>
      </form>
      <p class="muted">The browser keeps a proof of the token in an HttpOnly cookie for this session.</p>`,
  );
}
