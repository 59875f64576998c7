import { type Html, html } from "../../page/html.ts";
import { CONTENT_SECURITY_POLICY, layout, PAGE_HEADERS } from "../../page/layout.ts";

export interface PageContext {
  now: Date;
  version: string;
}

/** A refused sign-in: why, in words, and a way to try again. */
export function loginFailedPage(reason: string, retryPath: string, page: PageContext): Html {
  return layout(
    { title: "Sign-in failed", ...page },
    html`<h1>Sign-in failed</h1>
      <p class="error-text">${reason}</p>
      <p><a href="${retryPath}">Sign in again</a> · <a href="/">Status page</a></p>`,
  );
}

/** The provider is not reachable (yet): sign-in waits for it. */
export function loginUnavailablePage(issuer: string, reason: string, page: PageContext): Html {
  return layout(
    { title: "Sign-in unavailable", ...page, refreshSeconds: 10 },
    html`<h1>Sign-in unavailable</h1>
      <p class="error-text">The identity provider ${issuer} cannot be reached: ${reason}</p>
      <p class="muted">This page tries again every 10 seconds.</p>`,
  );
}

/** A sign-in or sign-out that cannot be done, and why. */
export function messagePage(title: string, message: string, page: PageContext): Html {
  return layout(
    { title, ...page },
    html`<h1>${title}</h1>
      <p class="error-text">${message}</p>
      <p><a href="/">Status page</a></p>`,
  );
}

/** Asked when a sign-out did not come from updraft's own pages: a link elsewhere cannot sign anyone out. */
export function logoutPage(csrfToken: string, page: PageContext): Html {
  return layout(
    { title: "Sign out", ...page },
    html`<h1>Sign out</h1>
      <form method="post" action="/auth/logout">
        <input type="hidden" name="csrf" value="${csrfToken}" />
        <button type="submit" class="primary">Sign out</button>
      </form>
      <p><a href="/">Back to the status page</a></p>`,
  );
}

/**
 * The pages' headers, letting a form post to /auth/logout be redirected on to the provider's
 * sign-out (Chromium applies `form-action` to a form's redirects too).
 */
export function logoutPageHeaders(providerOrigin: string): Record<string, string> {
  return {
    ...PAGE_HEADERS,
    "content-security-policy": CONTENT_SECURITY_POLICY.replace(
      "form-action 'self'",
      `form-action 'self' ${providerOrigin}`,
    ),
  };
}
