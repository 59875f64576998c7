import { type Html, html } from "./html.ts";
import { layout, signOutLink } from "./layout.ts";

/**
 * The 403 page for someone who signed in but whom no entry of the roles file matches: it says who
 * they are signed in as and what to ask for, instead of an empty UI.
 */
export function noRolePage(options: {
  actor: string;
  now: Date;
  version: string;
  /** The session's CSRF token, sent with Sign out. */
  csrfToken?: string | undefined;
}): Html {
  return layout(
    { title: "No role", now: options.now, version: options.version },
    html`<h1>No role</h1>
      <p>
        You are signed in as <strong>${options.actor}</strong>, but no role in this updraft's roles file
        (<code>--roles</code>) matches you. Ask an admin to add your email or group.
      </p>
      ${signOutLink()}`,
  );
}
