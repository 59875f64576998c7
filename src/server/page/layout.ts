import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { PageAccess } from "../auth/page-access.ts";
import { type Html, html, trusted } from "./html.ts";
import { PAGE_STYLE } from "./page-style.ts";
import { formatTime } from "./time-format.ts";

const SCRIPT = readFileSync(new URL("./page-client.js", import.meta.url), "utf8");
const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/**
 * Only the page's own inline style and script run (by hash): were any value ever rendered
 * unescaped, an injected script or handler would still be refused by the browser.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(PAGE_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  // Not no-referrer: under it a browser sends `Origin: null` with a form post (Sign out), which a
  // same-origin check must refuse. Other sites still get no referrer.
  "referrer-policy": "same-origin",
};

export interface PageFrame {
  title: string;
  now: Date;
  version: string;
  /** Reload every N seconds while open (the script waits while a form is in use; a meta refresh without JavaScript). */
  refreshSeconds?: number | undefined;
  /** Refresh only without JavaScript (the script keeps the page current itself). */
  refreshWithoutScriptOnly?: boolean;
  /**
   * Who is looking and what they may do (from the route's request). Absent, as on pages shown
   * before anyone is known (the token form): the header names nobody and says nothing of access.
   */
  access?: PageAccess | undefined;
}

/** The frame a route passes to a page that shows write buttons: the viewer's access is required. */
export type RoutedFrame = Omit<PageFrame, "title" | "access"> & { access: PageAccess };

/** The document around every page: head, style, navigation, the message box, token dialog and script. */
export function layout(frame: PageFrame, body: Html): Html {
  const refresh = frame.refreshSeconds;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${frame.title} · updraft</title>
${frame.access?.csrfToken ? html`<meta name="csrf-token" content="${frame.access.csrfToken}" />` : ""}
${refresh ? html`<noscript><meta http-equiv="refresh" content="${refresh}" /></noscript>` : ""}
<style>${trusted(PAGE_STYLE)}</style>
</head>
<body${refresh && !frame.refreshWithoutScriptOnly ? html` data-refresh="${refresh}"` : ""}${frame.access?.login ? html` data-login="on"` : ""}>
${topBar(frame.access)}
<main>
${frame.access?.unauthenticated ? html`<p class="banner" role="note">${UNAUTHENTICATED}</p>` : ""}
<div id="message" class="message" role="alert" hidden></div>
${body}
</main>
<footer>updraft ${frame.version} · rendered ${formatTime(frame.now.toISOString())}${refresh && !frame.refreshWithoutScriptOnly ? ` · refreshes every ${refresh} s` : ""}</footer>
<dialog id="token-dialog">
<form method="dialog">
<p data-token-reason>This action needs the API token.</p>
<label>API token <input type="password" name="token" autocomplete="off"></label>
<p class="muted">Kept in this browser tab's session storage only.</p>
<button type="submit" value="save" class="primary">Use token</button> <button type="submit" value="cancel" formnovalidate>Cancel</button>
</form>
</dialog>
<script>${trusted(SCRIPT)}</script>
</body>
</html>`;
}

const UNAUTHENTICATED =
  "This server has no authentication: anyone who can reach it can read everything, and (on loopback) run and pause DAGs.";

/** Navigation, the audit link for those who may read it, and who is signed in. */
function topBar(access: PageAccess | undefined): Html {
  const viewer = access?.viewer;
  return html`<header class="top">
    <a class="brand" href="/">updraft</a><a href="/">Status</a
    ><a href="/api/status">API</a
    >${access?.canAudit ? html`<a href="/audit">Audit log</a>` : ""}${viewer ? html`<span class="who">${viewer.actor} · ${viewer.role ?? "no role"}</span>` : ""}${access?.login && viewer?.via === "session" ? signOutLink() : ""}
  </header>`;
}

/**
 * Ends the session: a plain link (the logout route signs out at once for a same-origin navigation
 * and asks first otherwise). Not a form: Chromium applies the page's `form-action 'self'` to the
 * redirect on to the provider's end-session page, and would block it.
 */
export function signOutLink(): Html {
  return html`<a class="sign-out" href="/auth/logout">Sign out</a>`;
}

/** A write control: works through the script (which enables it) against a JSON API endpoint. */
export function actionForm(options: {
  url: string;
  label: string;
  done: string;
  then?: "reload" | "reload-later" | "run";
  primary?: boolean;
  fields?: Html;
  inline?: boolean;
  /** Asked first (`confirm()`); cancelling sends nothing. */
  confirm?: string;
  /** The JSON body sent (a form with a conf field sends that instead). */
  body?: Record<string, unknown>;
  /** The server checks the fields and answers naming each bad one (no browser bubbles). */
  noValidate?: boolean;
}): Html {
  return html`<form
    class="${options.inline ? "inline" : "action"}"
    data-url="${options.url}"
    data-method="POST"
    data-then="${options.then ?? "reload"}"
    data-done="${options.done}"
    ${options.confirm === undefined ? "" : html`data-confirm="${options.confirm}"`}
    ${options.body === undefined ? "" : html`data-body="${JSON.stringify(options.body)}"`}
    ${options.noValidate ? html` novalidate` : ""}
  >
    ${options.fields ?? ""}<button type="submit" disabled${options.primary ? html` class="primary"` : ""}>
      ${options.label}
    </button>
  </form>`;
}

/** Said once on pages with write controls. */
export function needsScriptNote(): Html {
  return html`<noscript
    ><p class="muted">
      The buttons need JavaScript; everything else on this page works without it.
    </p></noscript
  >`;
}
