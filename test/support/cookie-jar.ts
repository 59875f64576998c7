interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expiresAt: number | undefined;
  httpOnly: boolean;
  secure: boolean;
  sameSite: string | undefined;
}

/**
 * A browser's cookie store, small: cookies per host name (not port, as browsers do), sent to
 * paths under their Path, dropped by Max-Age=0 or a past Expires. Enough for sign-in flows.
 */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  /** Stores the response's Set-Cookie headers, as set by a response to `url`. */
  store(url: string | URL, response: Response): void {
    const host = new URL(url).hostname;
    for (const header of response.headers.getSetCookie()) this.#storeOne(host, header);
  }

  /** The Cookie header for a request to `url` (undefined: none). */
  header(url: string | URL): string | undefined {
    const { hostname, pathname } = new URL(url);
    const now = Date.now();
    const matching = [...this.#cookies.values()].filter(
      (cookie) =>
        cookie.host === hostname &&
        (cookie.expiresAt === undefined || cookie.expiresAt > now) &&
        (pathname === cookie.path ||
          pathname.startsWith(cookie.path.endsWith("/") ? cookie.path : `${cookie.path}/`)),
    );
    return matching.length === 0
      ? undefined
      : matching.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
  }

  /** A cookie by name (any host), with its attributes, for assertions. */
  get(name: string): StoredCookie | undefined {
    return [...this.#cookies.values()].find((cookie) => cookie.name === name);
  }

  /** Replaces a cookie's value (a test tampering with it). */
  set(name: string, value: string): void {
    const cookie = this.get(name);
    if (!cookie) throw new Error(`no cookie ${name} in the jar`);
    cookie.value = value;
  }

  #storeOne(host: string, header: string): void {
    const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
    const equals = pair.indexOf("=");
    const cookie: StoredCookie = {
      name: pair.slice(0, equals),
      value: pair.slice(equals + 1),
      host,
      path: "/",
      expiresAt: undefined,
      httpOnly: false,
      secure: false,
      sameSite: undefined,
    };
    for (const attribute of attributes) {
      const [key = "", value = ""] = attribute.split("=", 2);
      switch (key.toLowerCase()) {
        case "path":
          cookie.path = value;
          break;
        case "max-age":
          cookie.expiresAt = Date.now() + Number(value) * 1000;
          break;
        case "expires":
          cookie.expiresAt ??= Date.parse(value);
          break;
        case "httponly":
          cookie.httpOnly = true;
          break;
        case "secure":
          cookie.secure = true;
          break;
        case "samesite":
          cookie.sameSite = value;
          break;
      }
    }
    const key = `${host} ${cookie.path} ${cookie.name}`;
    if (cookie.expiresAt !== undefined && cookie.expiresAt <= Date.now()) this.#cookies.delete(key);
    else this.#cookies.set(key, cookie);
  }
}

/** fetch without following redirects, sending and storing the jar's cookies. */
export async function fetchWithJar(
  jar: CookieJar,
  url: string | URL,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie !== undefined) headers.set("cookie", cookie);
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  jar.store(url, response);
  return response;
}
