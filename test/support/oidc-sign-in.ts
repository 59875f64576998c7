import { CookieJar, fetchWithJar } from "./cookie-jar.ts";

/** Where a sign-in through the test provider ended: the app's answer to its callback. */
export interface SignInResult {
  jar: CookieJar;
  /** The `/auth/callback` request, as the provider redirected the browser to it, and the Cookie header it carried. */
  callbackUrl: URL;
  callbackCookie: string | undefined;
  /** The app's answer to it (303 to `next` on success). */
  callback: Response;
  callbackBody: string;
}

const MAX_STEPS = 20;

/**
 * Signs in at `appUrl` as a browser would: `/auth/login?next=…`, then the provider's redirects
 * and its dev login and consent forms (posted with `login`, any password), until the provider
 * sends the browser back to the app's callback, whose answer is returned.
 */
export async function signInThroughProvider(
  appUrl: string,
  login: string,
  options: { next?: string; jar?: CookieJar } = {},
): Promise<SignInResult> {
  const jar = options.jar ?? new CookieJar();
  const appOrigin = new URL(appUrl).origin;
  let url = new URL(`/auth/login?next=${encodeURIComponent(options.next ?? "/")}`, appUrl);
  let init: RequestInit = { headers: { accept: "text/html" } };
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const cookie = jar.header(url);
    const response = await fetchWithJar(jar, url, init);
    if (url.origin === appOrigin && url.pathname === "/auth/callback")
      return {
        jar,
        callbackUrl: url,
        callbackCookie: cookie,
        callback: response,
        callbackBody: await response.text(),
      };
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      url = new URL(location, url);
      init = { headers: { accept: "text/html" } };
      continue;
    }
    const body = await response.text();
    if (response.status !== 200)
      throw new Error(`sign-in stopped at ${url.href}: ${response.status} ${body.slice(0, 500)}`);
    const form = formOf(body, url);
    if (!form)
      throw new Error(`sign-in stopped at ${url.href}: no redirect and no form in ${body.slice(0, 500)}`);
    if (form.fields.has("login")) form.fields.set("login", login);
    if (form.fields.has("password")) form.fields.set("password", "any password");
    url = form.action;
    init = {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "text/html",
        origin: url.origin,
      },
      body: form.fields.toString(),
    };
  }
  throw new Error(`sign-in did not come back to ${appOrigin}/auth/callback within ${MAX_STEPS} requests`);
}

/** The first POST form of a page: its action and its inputs' names and values. */
export function formOf(page: string, base: URL): { action: URL; fields: URLSearchParams } | undefined {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page);
  if (!form?.[1]) return undefined;
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? "").matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
    if (name !== undefined) fields.set(name, unescape(/\bvalue="([^"]*)"/i.exec(input[0])?.[1] ?? ""));
  }
  return { action: new URL(unescape(form[1]), base), fields };
}

function unescape(text: string): string {
  return text
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
